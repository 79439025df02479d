using Customer360.Api.V1;
using Customer360.Testing;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// The real server on loopback (<see cref="LoopbackHost"/>), with its SQLite file in a folder
/// of the test's choosing, and clients of its services on one channel. Stopping and starting
/// again on the same folder is a restart.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly bool _ownsDataPath;

    private TestServer(WebApplication app, Uri address, string dataPath, bool ownsDataPath)
    {
        _app = app;
        _ownsDataPath = ownsDataPath;
        Address = address;
        DataPath = dataPath;
        Channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxSendMessageSize = null });
        Customers = new CustomerService.CustomerServiceClient(Channel);
        Segments = new SegmentService.SegmentServiceClient(Channel);
        ValueModels = new ValueModelService.ValueModelServiceClient(Channel);
    }

    public Uri Address { get; }

    public string DataPath { get; }

    public GrpcChannel Channel { get; }

    public CustomerService.CustomerServiceClient Customers { get; }

    public SegmentService.SegmentServiceClient Segments { get; }

    public ValueModelService.ValueModelServiceClient ValueModels { get; }

    public IServiceProvider Services => _app.Services;

    public static string NewDataPath() =>
        ScratchCleanup.NewFolder();

    /// <param name="clock">The server's clock; the system clock when null.</param>
    /// <param name="services">Adds to the server's services, for faults a test injects (a grain call filter).</param>
    public static async Task<TestServer> StartAsync(
        string? dataPath = null, IDictionary<string, string?>? settings = null, TimeProvider? clock = null, Action<IServiceCollection>? services = null)
    {
        var ownsDataPath = dataPath is null;
        dataPath ??= NewDataPath();
        var config = new Dictionary<string, string?>
        {
            ["Customer360:Storage:DataPath"] = dataPath,
            ["Customer360:Silo:ClusterId"] = "e2e-" + Guid.NewGuid().ToString("N"),
            ["Customer360:SegmentFlushInterval"] = "00:00:00.100",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var (app, address) = await LoopbackHost.StartAsync(config, serviceCollection =>
        {
            if (clock is not null)
            {
                serviceCollection.AddSingleton(clock);
            }

            services?.Invoke(serviceCollection);
        });
        return new TestServer(app, address, dataPath, ownsDataPath);
    }

    /// <summary>Graceful stop, as on Ctrl-C: the silo deactivates its grains and flushes what it holds.</summary>
    public async Task StopAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Channel.Dispose();
    }

    /// <summary>Stops the server, and removes its folder if no test gave it one (nobody can start it again).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (ObjectDisposedException)
        {
        }

        if (_ownsDataPath)
        {
            ScratchCleanup.RemoveFolder(DataPath);
        }
    }
}

using System.Net;
using System.Net.Sockets;
using Customer360.Api.V1;
using Customer360.Server.Hosting;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// The real server, built exactly as Program.cs builds it, on free loopback ports with its
/// SQLite file in a folder of the test's choosing. Stopping and starting again on the same
/// folder is a restart.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri address, string dataPath)
    {
        _app = app;
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
        Directory.CreateTempSubdirectory("c360-e2e-").FullName;

    /// <param name="clock">The server's clock; the system clock when null.</param>
    /// <param name="services">Adds to the server's services, for faults a test injects (a grain call filter).</param>
    public static async Task<TestServer> StartAsync(
        string? dataPath = null, IDictionary<string, string?>? settings = null, TimeProvider? clock = null, Action<IServiceCollection>? services = null)
    {
        dataPath ??= NewDataPath();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Test",
        });
        var config = new Dictionary<string, string?>
        {
            ["Customer360:Grpc:Port"] = "0",
            ["Customer360:Storage:Provider"] = "sqlite",
            ["Customer360:Storage:DataPath"] = dataPath,
            ["Customer360:Silo:SiloPort"] = FreePort().ToString(),
            ["Customer360:Silo:GatewayPort"] = FreePort().ToString(),
            ["Customer360:Silo:ClusterId"] = "e2e-" + Guid.NewGuid().ToString("N"),
            ["Customer360:SegmentFlushInterval"] = "00:00:00.100",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (clock is not null)
        {
            builder.Services.AddSingleton(clock);
        }

        services?.Invoke(builder.Services);
        builder.AddCustomer360Server();
        var app = builder.Build();
        app.MapCustomer360Services();
        await app.StartAsync();

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestServer(app, new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)), dataPath);
    }

    /// <summary>Graceful stop, as on Ctrl-C: the silo deactivates its grains and flushes what it holds.</summary>
    public async Task StopAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Channel.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

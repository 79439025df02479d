using System.Net;
using System.Net.Sockets;
using Customer360.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// The real Customer360 server, built as its Program.cs builds it, on free loopback ports with an
/// embedded SQLite store in a temporary folder, for load runs against a live gRPC endpoint.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dataPath;

    private LoopbackServer(WebApplication app, Uri address, string dataPath)
    {
        _app = app;
        _dataPath = dataPath;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<LoopbackServer> StartAsync()
    {
        var dataPath = Directory.CreateTempSubdirectory("c360-load-test-").FullName;
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Customer360:Grpc:Port"] = "0",
            ["Customer360:Storage:Provider"] = "sqlite",
            ["Customer360:Storage:DataPath"] = dataPath,
            ["Customer360:Silo:SiloPort"] = FreePort().ToString(),
            ["Customer360:Silo:GatewayPort"] = FreePort().ToString(),
            ["Customer360:Silo:ClusterId"] = "load-test-" + Guid.NewGuid().ToString("N"),
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddCustomer360Server();
        var app = builder.Build();
        app.MapCustomer360Services();
        await app.StartAsync();

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackServer(app, new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)), dataPath);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temporary folder is cleaned some other day.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

extern alias server;

using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using server::Customer360.Server.Hosting;

namespace Customer360.Testing;

/// <summary>
/// Starts the real server in the test's process, built as its Program.cs builds it: Kestrel on
/// a free loopback port, free silo and gateway ports, the embedded SQLite store unless the
/// settings say otherwise. Shared by the end-to-end and the load tool's tests, which compile
/// this file in (the load tool's tests reach the server's types only through the alias
/// "server", since the tool compiles the same protos).
/// </summary>
internal static class LoopbackHost
{
    /// <param name="settings">Configuration over the defaults; the store's data path at least.</param>
    /// <param name="services">Adds to the server's services, for what a test injects (a clock, a grain call filter).</param>
    public static async Task<(WebApplication App, Uri Address)> StartAsync(
        IEnumerable<KeyValuePair<string, string?>> settings, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Test",
        });
        var config = new Dictionary<string, string?>
        {
            ["Customer360:Grpc:Port"] = "0",
            ["Customer360:Storage:Provider"] = "sqlite",
            ["Customer360:Silo:SiloPort"] = FreePort().ToString(),
            ["Customer360:Silo:GatewayPort"] = FreePort().ToString(),
        };
        foreach (var (key, value) in settings)
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        services?.Invoke(builder.Services);
        builder.AddCustomer360Server();
        var app = builder.Build();
        app.MapCustomer360Services();
        await app.StartAsync();

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    /// <summary>A loopback port free at the time of asking.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

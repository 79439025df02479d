using Customer360.Testing;
using Microsoft.AspNetCore.Builder;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// The real server on loopback (<see cref="LoopbackHost"/>) with the embedded SQLite store in a
/// temporary folder, for the tool to drive over gRPC.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _dataPath;

    private LoopbackServer(WebApplication app, Uri address, string dataPath)
    {
        _app = app;
        Address = address;
        _dataPath = dataPath;
    }

    public Uri Address { get; }

    /// <param name="settings">Added to the server's settings.</param>
    public static async Task<LoopbackServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var dataPath = Directory.CreateTempSubdirectory("c360-load-test-").FullName;
        var config = new Dictionary<string, string?>
        {
            ["Customer360:Storage:DataPath"] = dataPath,
            ["Customer360:Silo:ClusterId"] = "load-test-" + Guid.NewGuid().ToString("N"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var (app, address) = await LoopbackHost.StartAsync(config);
        return new LoopbackServer(app, address, dataPath);
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
            // A file still held open; the temporary folder is cleaned up by the system.
        }
    }
}

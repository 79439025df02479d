using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace Customer360.Server.Hosting;

/// <summary>
/// Follows the server's settings files (<c>appsettings.json</c>, <c>appsettings.&lt;environment&gt;.json</c>)
/// by polling them rather than through a file watcher. Kubernetes mounts a secret or a config map
/// as symbolic links into a directory it replaces by swapping another link (<c>..data</c>); the
/// watcher ASP.NET Core uses (inotify) reports nothing for the files themselves then, and API keys
/// changed in such a file would never be taken. The framework's polling watcher, which compares the
/// linked file's own time of change every four seconds, sees the swap. It is set here, for the
/// server's own settings files alone, so that nobody has to know to set DOTNET_USE_POLLING_FILE_WATCHER.
/// </summary>
public sealed class SettingsFilesPolling(PhysicalFileProvider polling) : IHostedService, IDisposable
{
    /// <summary>Reads the settings files that ASP.NET Core follows from the content root through a polling file provider instead.</summary>
    public static void Use(WebApplicationBuilder builder)
    {
        if (builder.Environment.ContentRootFileProvider is not PhysicalFileProvider contentRoot)
        {
            return;
        }

        IConfigurationBuilder configuration = builder.Configuration;
        PhysicalFileProvider? polling = null;
        for (var i = 0; i < configuration.Sources.Count; i++)
        {
            if (configuration.Sources[i] is JsonConfigurationSource { ReloadOnChange: true, Path: { } path } json && ReferenceEquals(json.FileProvider, contentRoot))
            {
                polling ??= new PhysicalFileProvider(contentRoot.Root) { UsePollingFileWatcher = true, UseActivePolling = true };
                // The source in its place, so that the settings that come after it (the environment, the command line) still win.
                configuration.Sources[i] = new JsonConfigurationSource
                {
                    Path = path,
                    Optional = json.Optional,
                    ReloadOnChange = true,
                    ReloadDelay = json.ReloadDelay,
                    OnLoadException = json.OnLoadException,
                    FileProvider = polling,
                };
            }
        }

        if (polling is not null)
        {
            // Stops the polling with the server.
            builder.Services.AddHostedService(_ => new SettingsFilesPolling(polling));
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => polling.Dispose();
}

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
/// <remarks>
/// A file that cannot be read once the server runs (invalid JSON, caught half-written) is set
/// aside by the framework without a word: no change is announced, so the API keys and limits in
/// use stay until it reads again. It is logged here, so that whoever edited it learns that the
/// edit was not taken. At start-up such a file still stops the start, naming it.
/// </remarks>
public sealed partial class SettingsFilesPolling(PhysicalFileProvider polling, SettingsFilesPolling.Reporter reporter, ILogger<SettingsFilesPolling> logger)
    : IHostedService, IDisposable
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
        var reporter = new Reporter();
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
                    OnLoadException = reporter.Unreadable,
                    FileProvider = polling,
                };
            }
        }

        if (polling is not null)
        {
            // Stops the polling with the server.
            builder.Services.AddHostedService(sp => new SettingsFilesPolling(polling, reporter, sp.GetRequiredService<ILogger<SettingsFilesPolling>>()));
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        reporter.Logger = logger;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => polling.Dispose();

    /// <summary>Says that a settings file could not be read, once the server runs; before that, lets the failure stop the start.</summary>
    public sealed class Reporter
    {
        public ILogger? Logger { get; set; }

        public void Unreadable(FileLoadExceptionContext context)
        {
            if (Logger is { } logger)
            {
                // Not ignored: ignored, the framework would announce a change without the file's
                // settings, and the API keys in it would be dropped.
                LogUnreadable(logger, context.Provider.Source.Path ?? "?", context.Exception.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The settings file {Path} changed but could not be read, so the change was not taken: the API keys and limits in use stay until it reads again. {Problem}")]
    private static partial void LogUnreadable(ILogger logger, string path, string problem);
}

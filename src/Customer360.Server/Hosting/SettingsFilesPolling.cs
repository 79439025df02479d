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
/// aside without a word by the framework, which announces no change but empties what it had read
/// of the file: a later change of another settings file would then rebuild the settings without
/// it, dropping the API keys and limits it holds. Here the file's last readable content stays in
/// force instead, until it reads again, and the failure is logged, so that whoever edited it
/// learns that the edit was not taken. At start-up such a file still stops the start, naming it.
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
                configuration.Sources[i] = new LastGoodJsonSource
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

    /// <summary>
    /// Keeps a settings file that could not be read as it last read, and says so once the server
    /// runs; before that, lets the failure stop the start.
    /// </summary>
    public sealed class Reporter
    {
        public ILogger? Logger { get; set; }

        public void Unreadable(FileLoadExceptionContext context)
        {
            if (context.Provider is LastGoodJsonProvider provider)
            {
                provider.KeepLastGood();
            }

            // Not ignored, so the framework announces no change: nothing was.
            if (Logger is { } logger)
            {
                LogUnreadable(logger, context.Provider.Source.Path ?? "?", context.Exception.Message);
            }
        }
    }

    /// <summary>A JSON settings file whose provider keeps its last readable content when a reload fails.</summary>
    private sealed class LastGoodJsonSource : JsonConfigurationSource
    {
        public override IConfigurationProvider Build(IConfigurationBuilder builder)
        {
            EnsureDefaults(builder);
            return new LastGoodJsonProvider(this);
        }
    }

    /// <summary>
    /// Remembers what it last read: the framework empties a file provider's data when a reload
    /// fails, and <see cref="Reporter.Unreadable"/>, which it calls next, puts it back.
    /// </summary>
    private sealed class LastGoodJsonProvider(JsonConfigurationSource source) : JsonConfigurationProvider(source)
    {
        private IDictionary<string, string?> _lastGood = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

        public override void Load(Stream stream)
        {
            base.Load(stream);
            _lastGood = Data;
        }

        public void KeepLastGood() => Data = _lastGood;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The settings file {Path} changed but could not be read, so the change was not taken: the API keys and limits in use stay until it reads again. {Problem}")]
    private static partial void LogUnreadable(ILogger logger, string path, string problem);
}

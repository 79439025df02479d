using Customer360.Grains.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Customer360.Grains.Values;

/// <summary>
/// Brings this silo's <see cref="ValueModelCache"/> up to the current model: once when the silo
/// becomes active, then every <see cref="ValueModelSettings.RefreshInterval"/>.
/// </summary>
public sealed partial class ValueModelRefresher(
    ValueModelCache cache,
    IOptions<Customer360Options> options,
    TimeProvider clock,
    ILogger<ValueModelRefresher> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private CancellationTokenSource? _stop;
    private Task? _loop;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ValueModelRefresher), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    /// <summary>Asks the value model grain for the current model and takes it if newer.</summary>
    public async Task RefreshAsync()
    {
        if (await cache.RefreshAsync())
        {
            LogNewModel(logger, cache.ModelVersion);
        }
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _stop = new CancellationTokenSource();
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null || _loop is null)
        {
            return;
        }

        await _stop.CancelAsync();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(options.Value.ValueModel.RefreshInterval, clock);
        try
        {
            do
            {
                try
                {
                    await RefreshAsync();
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    // The silo keeps scoring with the model it has; the next tick tries again.
                    LogRefreshFailed(logger, e);
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scoring customers with value model v{Version}")]
    private static partial void LogNewModel(ILogger logger, long version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not refresh the value model")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}

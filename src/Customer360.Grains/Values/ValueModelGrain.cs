using Customer360.Contracts.Values;
using Customer360.Domain.Values;
using Customer360.Grains.Configuration;
using Microsoft.Extensions.Logging;

namespace Customer360.Grains.Values;

/// <summary>The value model grain's stored state: the current model and how the fits went.</summary>
[GenerateSerializer, Alias("c360.ValueModelGrainState")]
public sealed class ValueModelGrainState
{
    [Id(0)] public ValueModel? Model { get; set; }

    [Id(1)] public ValueModelFitReport? Report { get; set; }

    [Id(2)] public string? LastFailure { get; set; }

    [Id(3)] public DateTimeOffset? LastFailureAt { get; set; }

    /// <summary>When a fit last started, successful or not; the schedule counts from it.</summary>
    [Id(4)] public DateTimeOffset? LastAttemptAt { get; set; }
}

/// <summary>
/// Keeps the service's current value model. A fit reads the whole log and runs on the thread
/// pool, off the grain's scheduler; <see cref="GetAsync"/> interleaves with it. A new model is
/// stored before it is returned, so it survives a restart, and silos pick it up within their
/// refresh interval (see <see cref="ValueModelRefresher"/>).
/// </summary>
public sealed partial class ValueModelGrain(
    [PersistentState(StorageNames.ValueModelState, StorageNames.Store)] IPersistentState<ValueModelGrainState> state,
    ValueModelFitter fitter,
    ValueModelCache cache,
    Microsoft.Extensions.Options.IOptions<Customer360Options> options,
    TimeProvider clock,
    ILogger<ValueModelGrain> logger) : Grain, IValueModelGrain
{
    private readonly TimeSpan _fitInterval = options.Value.ValueModel.FitInterval;
    private bool _fitting;
    private DateTimeOffset _scheduleFrom;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The schedule: every silo's refresher asks for the model every few seconds, which keeps
        // this grain active, so a timer here is enough to refit on time, once for the cluster.
        // A service that has never tried a fit counts its first interval from now, so a new
        // deployment is first fitted a day after it starts (or when asked), not while its
        // history is still being imported.
        _scheduleFrom = state.State.LastAttemptAt ?? clock.GetUtcNow();
        var check = options.Value.ValueModel.RefreshInterval;
        this.RegisterGrainTimer(FitIfDueAsync, new GrainTimerCreationOptions { DueTime = check, Period = check });
        return Task.CompletedTask;
    }

    public Task<ValueModelStatus> GetAsync() =>
        Task.FromResult(new ValueModelStatus(state.State.Model, state.State.Report, state.State.LastFailure, state.State.LastFailureAt, _fitting));

    public async Task<ValueModelFitOutcome> FitAsync(DateTimeOffset? calibrationEnd)
    {
        var now = clock.GetUtcNow();
        var end = calibrationEnd ?? now;
        var version = (state.State.Model?.Version ?? 0) + 1;
        _fitting = true;
        ValueModelFitResult result;
        try
        {
            result = await Task.Run(async () => fitter.Fit(await fitter.CollectAsync(end, CancellationToken.None), end, version, now));
        }
        finally
        {
            _fitting = false;
        }

        state.State.LastAttemptAt = now;
        if (result.Model is { } model)
        {
            state.State.Model = model;
            state.State.Report = result.Report;
            state.State.LastFailure = null;
            state.State.LastFailureAt = null;
            await state.WriteStateAsync();
            cache.Offer(model);
            LogFitted(logger, model.Version, result.Report!.Customers, end);
            return new ValueModelFitOutcome(result.Report, null, model);
        }

        state.State.LastFailure = result.FailureReason;
        state.State.LastFailureAt = now;
        await state.WriteStateAsync();
        LogFitFailed(logger, result.FailureReason);
        return new ValueModelFitOutcome(null, result.FailureReason);
    }

    private async Task FitIfDueAsync(CancellationToken cancellationToken)
    {
        if (!_fitting && IsDue(state.State.LastAttemptAt ?? _scheduleFrom, _fitInterval, clock.GetUtcNow()))
        {
            await FitAsync(null);
        }
    }

    /// <summary>Whether a scheduled fit is due: the last attempt (or the start of the schedule) is a fit interval old.</summary>
    internal static bool IsDue(DateTimeOffset since, TimeSpan interval, DateTimeOffset now) => now - since >= interval;

    [LoggerMessage(Level = LogLevel.Information, Message = "Value model v{Version} fitted on {Customers} customers, calibration end {CalibrationEnd:u}")]
    private static partial void LogFitted(ILogger logger, long version, long customers, DateTimeOffset calibrationEnd);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Value model fit failed: {Reason}; the current model stays")]
    private static partial void LogFitFailed(ILogger logger, string? reason);
}

using System.Diagnostics;
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
/// <remarks>
/// After a new model, and on each new day, the grain runs the re-scoring sweep
/// (<see cref="RescoringSweep"/>) in the background on its own scheduler, between calls: every
/// customer, active or not, is rescored as of the day, so segment figures and tiers are exact
/// again when it ends. Its progress is stored at most every <see cref="SweepSaveInterval"/>,
/// and a sweep cut short (a restart, a store error) resumes from its cursor at the next check.
/// </remarks>
public sealed partial class ValueModelGrain(
    [PersistentState(StorageNames.ValueModelState, StorageNames.Store)] IPersistentState<ValueModelGrainState> state,
    [PersistentState(StorageNames.RescoringSweepState, StorageNames.Store)] IPersistentState<RescoringSweepState> sweepState,
    ValueModelFitter fitter,
    RescoringSweep sweeper,
    ValueModelCache cache,
    Microsoft.Extensions.Options.IOptions<Customer360Options> options,
    TimeProvider clock,
    ILogger<ValueModelGrain> logger) : Grain, IValueModelGrain
{
    private static readonly TimeSpan SweepSaveInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The first pause before a scheduled fit that could not read the log is tried again; each
    /// failure in a row doubles it, up to the fit interval.
    /// </summary>
    public static readonly TimeSpan FirstFitRetry = TimeSpan.FromMinutes(1);

    private readonly TimeSpan _fitInterval = options.Value.ValueModel.FitInterval;
    private bool _fitting;
    private DateTimeOffset _scheduleFrom;
    private TimeSpan _fitRetry;
    private DateTimeOffset _retryFitAt;
    private Task _sweep = Task.CompletedTask;
    private CancellationTokenSource? _stopSweep;
    private DateTimeOffset _sweepSavedAt;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The schedule: every silo's refresher asks for the model every few seconds, which keeps
        // this grain active, so a timer here is enough to refit on time, once for the cluster.
        // A service that has never tried a fit counts its first interval from now, so a new
        // deployment is first fitted a day after it starts (or when asked), not while its
        // history is still being imported.
        _scheduleFrom = state.State.LastAttemptAt ?? clock.GetUtcNow();
        var check = options.Value.ValueModel.RefreshInterval;
        this.RegisterGrainTimer(CheckScheduleAsync, new GrainTimerCreationOptions { DueTime = check, Period = check });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await StopSweepAsync();

    public Task<ValueModelStatus> GetAsync() => Task.FromResult(new ValueModelStatus(
        state.State.Model, state.State.Report, state.State.LastFailure, state.State.LastFailureAt, _fitting, sweepState.State.ToStatus(), NextFitAt()));

    /// <summary>When the schedule next tries a fit: a fit interval after the last attempt, or later while fits cannot read the log.</summary>
    private DateTimeOffset NextFitAt()
    {
        var due = (state.State.LastAttemptAt ?? _scheduleFrom) + _fitInterval;
        return due > _retryFitAt ? due : _retryFitAt;
    }

    public async Task<ValueModelFitOutcome> FitAsync(DateTimeOffset? calibrationEnd)
    {
        var now = clock.GetUtcNow();
        var end = calibrationEnd ?? now;
        var version = (state.State.Model?.Version ?? 0) + 1;
        _fitting = true;
        ValueModelFitResult result;
        try
        {
            result = await Task.Run(async () =>
            {
                var reading = Stopwatch.GetTimestamp();
                var population = await fitter.CollectAsync(end, CancellationToken.None);
                return fitter.Fit(population, end, version, now, Stopwatch.GetElapsedTime(reading));
            });
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
            await StartSweepIfDueAsync();
            return new ValueModelFitOutcome(result.Report, null, model);
        }

        state.State.LastFailure = result.FailureReason;
        state.State.LastFailureAt = now;
        await state.WriteStateAsync();
        LogFitFailed(logger, result.FailureReason);
        return new ValueModelFitOutcome(null, result.FailureReason);
    }

    private async Task CheckScheduleAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (!_fitting && now >= NextFitAt())
        {
            try
            {
                await FitAsync(null);
                _fitRetry = TimeSpan.Zero;
            }
            catch (Exception e)
            {
                // The log could not be read (the database is out of reach, say), and the fit
                // recorded no attempt: still due, it would read the whole log again at every
                // check, every few seconds, while the database struggles. It waits instead.
                _fitRetry = _fitRetry == TimeSpan.Zero
                    ? FirstFitRetry
                    : TimeSpan.FromTicks(Math.Min(_fitRetry.Ticks * 2, Math.Max(_fitInterval.Ticks, FirstFitRetry.Ticks)));
                _retryFitAt = now + _fitRetry;
                state.State.LastFailure = $"the scheduled fit could not read the log: {StatusFailure.Describe(e)}";
                state.State.LastFailureAt = now;
                LogScheduledFitFailed(logger, e, _retryFitAt);
                return;
            }
        }

        await StartSweepIfDueAsync();
    }

    /// <summary>
    /// Starts a sweep when customers are not all scored with the current model as of today:
    /// a new sweep for a new model or day (stopping one still running for an older target),
    /// or the rest of one cut short.
    /// </summary>
    private async Task StartSweepIfDueAsync()
    {
        if (state.State.Model is not { } model)
        {
            return;
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var sweep = sweepState.State;
        var sameTarget = sweep.ModelVersion == model.Version && sweep.Day == today;
        if (sameTarget && (sweep.CompletedAt is not null || !_sweep.IsCompleted))
        {
            return;
        }

        await StopSweepAsync();
        if (!sameTarget)
        {
            sweepState.State = sweep = new RescoringSweepState
            {
                ModelVersion = model.Version,
                Day = today,
                StartedAt = clock.GetUtcNow(),
                Customers = await sweeper.CountCustomersAsync(),
            };
            await sweepState.WriteStateAsync();
            LogSweepStarted(logger, model.Version, today, sweep.Customers);
        }

        _stopSweep = new CancellationTokenSource();
        _sweep = RunSweepAsync(sweep, _stopSweep.Token);
    }

    // Runs on this grain's scheduler, in turns between its calls.
    private async Task RunSweepAsync(RescoringSweepState sweep, CancellationToken stop)
    {
        try
        {
            await sweeper.RunAsync(sweep, () => SaveSweepAsync(sweep, force: sweep.CompletedAt is not null), stop);
            if (sweep.CompletedAt is not null)
            {
                LogSweepCompleted(logger, sweep.ModelVersion, sweep.Visited, sweep.Rescored, sweep.NotReached.Count);
            }
            else
            {
                await SaveSweepAsync(sweep, force: true);
            }
        }
        catch (Exception e)
        {
            // Progress up to the last whole page stands; the next schedule check resumes.
            sweep.LastError = StatusFailure.Describe(e);
            LogSweepFailed(logger, e, sweep.Cursor);
            await SaveSweepAsync(sweep, force: true);
        }
    }

    private async Task SaveSweepAsync(RescoringSweepState sweep, bool force)
    {
        var now = clock.GetUtcNow();
        if (!ReferenceEquals(sweep, sweepState.State) || (!force && now - _sweepSavedAt < SweepSaveInterval))
        {
            return;
        }

        _sweepSavedAt = now;
        try
        {
            await sweepState.WriteStateAsync();
        }
        catch (Exception e)
        {
            // The cursor stored last stands: a resumed sweep redoes a little, which is harmless.
            LogSweepFailed(logger, e, sweep.Cursor);
        }
    }

    private async Task StopSweepAsync()
    {
        if (_stopSweep is { } stop)
        {
            await stop.CancelAsync();
            await _sweep;
            stop.Dispose();
            _stopSweep = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Value model v{Version} fitted on {Customers} customers, calibration end {CalibrationEnd:u}")]
    private static partial void LogFitted(ILogger logger, long version, long customers, DateTimeOffset calibrationEnd);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rescoring {Customers} customers with value model v{Version} as of {Day}")]
    private static partial void LogSweepStarted(ILogger logger, long version, DateOnly day, long customers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rescoring with value model v{Version} done: {Visited} customers reached, {Rescored} rescored, {NotReached} not reached")]
    private static partial void LogSweepCompleted(ILogger logger, long version, long visited, long rescored, int notReached);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The re-scoring sweep stopped after customer {Cursor}; it resumes at the next check")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception, string? cursor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The scheduled value model fit could not read the log; the current model stays, and the fit is tried again at {RetryAt:u}")]
    private static partial void LogScheduledFitFailed(ILogger logger, Exception exception, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Value model fit failed: {Reason}; the current model stays")]
    private static partial void LogFitFailed(ILogger logger, string? reason);
}

using System.Diagnostics;
using Customer360.Contracts.Values;
using Customer360.Domain.Customers;
using Customer360.Domain.Values.Models;
using Customer360.Grains.Storage;

namespace Customer360.Grains.Values;

/// <summary>
/// Tests the value models against the log: fits them, as <see cref="ValueModelFitter"/> does, on
/// every customer's history up to a past calibration day, then compares what the fitted BG/NBD
/// model predicts for each customer over the following weeks with the purchases the log shows
/// (see <see cref="BacktestCohort"/> for the definitions). The log is read once, up to the end of
/// the holdout, and each customer's days are split at the calibration day. The fitted models
/// are reported and dropped: a backtest never becomes the current model nor changes a score.
/// </summary>
public sealed class ValueModelBacktester(ICustomerStore store, ValueModelFitter fitter, TimeProvider clock, BacktestSlot slot)
{
    /// <summary>
    /// Backtests with a calibration period up to the UTC day of <paramref name="calibrationEnd"/>
    /// and a holdout of <paramref name="holdoutWeeks"/> weeks after it. Reading the log and
    /// fitting take seconds on a large population, so the work runs on the thread pool.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="holdoutWeeks"/> is outside 1 to <see cref="BacktestCohort.MaxHoldoutWeeks"/>.</exception>
    /// <exception cref="BacktestRunningException">Another backtest is running on this server (<see cref="BacktestSlot"/>).</exception>
    public async Task<ValueModelBacktest> RunAsync(DateTimeOffset calibrationEnd, int holdoutWeeks, CancellationToken cancellationToken)
    {
        var cohort = new BacktestCohort(DailyActivity.DayOf(calibrationEnd), holdoutWeeks);
        if (!slot.TryTake())
        {
            throw new BacktestRunningException();
        }

        try
        {
            return await Task.Run(() => RunAsync(cohort, calibrationEnd, cancellationToken), cancellationToken);
        }
        finally
        {
            slot.Release();
        }
    }

    private async Task<ValueModelBacktest> RunAsync(BacktestCohort cohort, DateTimeOffset calibrationEnd, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var holdoutEnd = BacktestCohort.HoldoutEnd(calibrationEnd, cohort.HoldoutWeeks);
        var population = new PopulationStatistics();
        await foreach (var (_, days) in store.ReadPurchaseHistoriesAsync(holdoutEnd, cancellationToken))
        {
            // The fit sees exactly the calibration period; the cohort takes the same customers
            // (those with a purchase in it) with their statistics as of the same day.
            population.Add(BacktestCohort.CalibrationPeriod(days, cohort.CalibrationDay), cohort.CalibrationDay);
            cohort.Add(days);
        }

        // Version 0: this model is never anyone's current model.
        var fit = fitter.Fit(population, calibrationEnd, version: 0, clock.GetUtcNow());
        if (fit is not { Model: { } model, Report: { } report })
        {
            return new ValueModelBacktest(calibrationEnd, cohort.HoldoutWeeks, holdoutEnd, null, null, fit.FailureReason, Stopwatch.GetElapsedTime(started));
        }

        var evaluation = cohort.Evaluate(model.Purchasing);
        return new ValueModelBacktest(calibrationEnd, cohort.HoldoutWeeks, holdoutEnd, report, evaluation, null, Stopwatch.GetElapsedTime(started));
    }
}

/// <summary>A backtest's fitted models and how their predictions compared with the holdout, or why the models could not be fitted.</summary>
/// <param name="CalibrationEnd">As asked; the calibration period runs to the end of its UTC day.</param>
/// <param name="HoldoutEnd">The last instant of the holdout.</param>
/// <param name="Fit">The models fitted on the calibration period; null when the fit failed.</param>
/// <param name="Evaluation">Predictions against actuals; null when the fit failed.</param>
/// <param name="FailureReason">Why the calibration period could not be fitted, as a fit reports it.</param>
/// <param name="Duration">Reading, fitting and evaluating.</param>
public sealed record ValueModelBacktest(
    DateTimeOffset CalibrationEnd,
    int HoldoutWeeks,
    DateTimeOffset HoldoutEnd,
    ValueModelFitReport? Fit,
    BacktestEvaluation? Evaluation,
    string? FailureReason,
    TimeSpan Duration);

/// <summary>
/// The one backtest a server runs at a time. Each reads the whole log and holds every customer's
/// statistics in memory, so several at once could exhaust the server that also serves the tills.
/// </summary>
public sealed class BacktestSlot
{
    private readonly SemaphoreSlim _slot = new(1, 1);

    /// <summary>Takes the slot if it is free.</summary>
    public bool TryTake() => _slot.Wait(0);

    public void Release() => _slot.Release();
}

/// <summary>A backtest was asked for while another runs on the same server.</summary>
public sealed class BacktestRunningException()
    : Exception("a backtest is already running on this server; each reads the whole log, so they run one at a time: try again when it has ended");

using Customer360.Domain.Customers;

namespace Customer360.Domain.Values.Models;

/// <summary>
/// The customers a backtest follows and what they did in the holdout: how well a BG/NBD model
/// fitted on the history up to a calibration day predicts the purchases of the weeks after it.
/// <para>
/// A backtest works in whole UTC days. The calibration period is every day up to and including
/// the calibration day; the holdout is the <see cref="HoldoutWeeks"/> × 7 days after it, week w
/// being days 7(w − 1) + 1 to 7w after the calibration day. The cohort is every customer with a
/// purchase occasion in the calibration period, with its statistics (x, t_x, T) as of the
/// calibration day; a customer whose first purchase falls in the holdout is not in it. A
/// customer's holdout purchases are its purchase occasions in the holdout, counted as the model
/// counts them (<see cref="PurchaseOccasions"/>): distinct UTC days with at least one purchase.
/// </para>
/// <para>
/// Customers with the same (x, t_x, T) share one prediction, so a large cohort costs one
/// evaluation of E[Y(t)] per distinct history and week, not per customer.
/// </para>
/// </summary>
public sealed class BacktestCohort
{
    /// <summary>The longest holdout a backtest takes: ten years.</summary>
    public const int MaxHoldoutWeeks = 520;

    private const int DaysPerWeek = 7;

    // Distinct histories in first-seen order, how many customers have each, and for every
    // customer its history's index and its holdout occasions.
    private readonly Dictionary<(int X, double Tx, double T), int> _historyIndex = [];
    private readonly List<CustomerValueInputs> _histories = [];
    private readonly List<int> _historyCounts = [];
    private readonly List<(int History, int Actual)> _customers = [];
    private readonly long[] _actualByWeek;

    /// <param name="calibrationDay">The last day of the calibration period (<see cref="DateOnly.DayNumber"/>).</param>
    /// <param name="holdoutWeeks">Weeks of holdout, 1 to <see cref="MaxHoldoutWeeks"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The holdout is outside 1 to <see cref="MaxHoldoutWeeks"/> weeks, or ends after the last representable day.</exception>
    public BacktestCohort(int calibrationDay, int holdoutWeeks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(holdoutWeeks, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(holdoutWeeks, MaxHoldoutWeeks);
        ArgumentOutOfRangeException.ThrowIfNegative(calibrationDay);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(calibrationDay, DateOnly.MaxValue.DayNumber - (holdoutWeeks * DaysPerWeek));
        CalibrationDay = calibrationDay;
        HoldoutWeeks = holdoutWeeks;
        _actualByWeek = new long[holdoutWeeks];
    }

    /// <summary>The last day of the calibration period.</summary>
    public int CalibrationDay { get; }

    public int HoldoutWeeks { get; }

    /// <summary>The last day of the holdout: <see cref="CalibrationDay"/> + 7 × <see cref="HoldoutWeeks"/>.</summary>
    public int LastHoldoutDay => CalibrationDay + (HoldoutWeeks * DaysPerWeek);

    /// <summary>Customers in the cohort so far.</summary>
    public int Count => _customers.Count;

    /// <summary>
    /// The last instant of a holdout of <paramref name="holdoutWeeks"/> weeks after the UTC day of
    /// <paramref name="calibrationEnd"/>: the end of its last day. The log must be read up to it,
    /// and the holdout can be compared with the log only once it is past.
    /// </summary>
    public static DateTimeOffset HoldoutEnd(DateTimeOffset calibrationEnd, int holdoutWeeks)
    {
        var lastDay = DailyActivity.DayOf(calibrationEnd) + (holdoutWeeks * DaysPerWeek);
        return new DateTimeOffset(DateOnly.FromDayNumber(lastDay).ToDateTime(TimeOnly.MaxValue), TimeSpan.Zero);
    }

    /// <summary>The days of <paramref name="days"/> on or before <paramref name="calibrationDay"/>, in their order: what the models are fitted on.</summary>
    public static List<DailyActivity> CalibrationPeriod(IEnumerable<DailyActivity> days, int calibrationDay) =>
        [.. days.Where(d => d.Day <= calibrationDay)];

    /// <summary>
    /// Adds one customer from all of its days, in any order, the holdout's included; days after
    /// the holdout are ignored. Returns whether the customer joined the cohort, which it does
    /// when it made a purchase on or before the calibration day.
    /// </summary>
    public bool Add(IReadOnlyCollection<DailyActivity> days)
    {
        if (PurchaseOccasions.FromDays(CalibrationPeriod(days, CalibrationDay)).ToInputs(CalibrationDay) is not { } inputs)
        {
            return false;
        }

        var key = (inputs.X, inputs.Tx, inputs.T);
        if (!_historyIndex.TryGetValue(key, out var history))
        {
            history = _histories.Count;
            _historyIndex.Add(key, history);
            _histories.Add(inputs);
            _historyCounts.Add(0);
        }

        _historyCounts[history]++;
        var actual = 0;
        foreach (var day in days.Where(d => d.PurchaseCount > 0 && d.Day > CalibrationDay && d.Day <= LastHoldoutDay).Select(d => d.Day).Distinct())
        {
            _actualByWeek[(day - CalibrationDay - 1) / DaysPerWeek]++;
            actual++;
        }

        _customers.Add((history, actual));
        return true;
    }

    /// <summary>
    /// What a BG/NBD model with <paramref name="parameters"/> predicts for the cohort's holdout,
    /// against what the cohort did. Customer i's prediction for the first w weeks is
    /// E[Y(w) | x_i, t_x,i, T_i] (<see cref="BgNbdModel.ExpectedPurchases"/>). The result does not
    /// depend on the order customers were added in, nor on the number of threads.
    /// </summary>
    public BacktestEvaluation Evaluate(BgNbdParameters parameters, int? maxDegreeOfParallelism = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var weeks = HoldoutWeeks;

        // Histories are evaluated in fixed chunks, in parallel, and the chunks' weekly sums added
        // in chunk order: the same figures on any machine, to the last bit.
        const int ChunkSize = 64;
        var chunks = (_histories.Count + ChunkSize - 1) / ChunkSize;
        var chunkSums = new double[chunks][];
        var expectedOverHoldout = new double[_histories.Count];
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? -1 }, chunk =>
        {
            var sums = new double[weeks];
            for (var h = chunk * ChunkSize; h < Math.Min(_histories.Count, (chunk + 1) * ChunkSize); h++)
            {
                double expected = 0;
                for (var w = 1; w <= weeks; w++)
                {
                    expected = BgNbdModel.ExpectedPurchases(parameters, _histories[h], w);
                    sums[w - 1] += _historyCounts[h] * expected;
                }

                expectedOverHoldout[h] = expected;
            }

            chunkSums[chunk] = sums;
        });

        var predictedCumulative = new double[weeks];
        foreach (var sums in chunkSums)
        {
            for (var w = 0; w < weeks; w++)
            {
                predictedCumulative[w] += sums[w];
            }
        }

        var actualCumulative = new long[weeks];
        long actualTotal = 0;
        for (var w = 0; w < weeks; w++)
        {
            actualTotal += _actualByWeek[w];
            actualCumulative[w] = actualTotal;
        }

        var (correlation, meanAbsoluteError) = Agreement(expectedOverHoldout);
        return new BacktestEvaluation(
            _customers.Count,
            predictedCumulative[^1],
            actualCumulative[^1],
            correlation,
            meanAbsoluteError,
            predictedCumulative,
            actualCumulative);
    }

    /// <summary>Pearson's r between per-customer predictions and actuals, and their mean absolute difference.</summary>
    private (double Correlation, double MeanAbsoluteError) Agreement(double[] expectedOverHoldout)
    {
        var n = _customers.Count;
        if (n == 0)
        {
            return (double.NaN, double.NaN);
        }

        // Two passes, means first: the one-pass formula loses every digit when the spread is
        // small next to the means.
        double predictedSum = 0, actualSum = 0;
        foreach (var (history, actual) in _customers)
        {
            predictedSum += expectedOverHoldout[history];
            actualSum += actual;
        }

        var (predictedMean, actualMean) = (predictedSum / n, actualSum / n);
        double sxy = 0, sxx = 0, syy = 0, absolute = 0;
        foreach (var (history, actual) in _customers)
        {
            var dx = expectedOverHoldout[history] - predictedMean;
            var dy = actual - actualMean;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
            absolute += Math.Abs(expectedOverHoldout[history] - actual);
        }

        var correlation = sxx > 0 && syy > 0 ? Math.Clamp(sxy / Math.Sqrt(sxx * syy), -1, 1) : double.NaN;
        return (correlation, absolute / n);
    }
}

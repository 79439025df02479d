using Customer360.Domain.Customers;
using Customer360.Domain.Values.Models;

namespace Customer360.Domain.Tests.Values.Models;

public sealed class BacktestCohortTests
{
    private static readonly BgNbdParameters Cdnow = new(0.243, 4.414, 0.793, 2.426);

    /// <summary>The calibration day: the last day of the calibration period.</summary>
    private static readonly int C = new DateOnly(2025, 3, 10).DayNumber;

    private static DailyActivity Bought(int dayFromC, int purchases = 1, decimal amount = 20m) =>
        new(C + dayFromC, amount * purchases, 0m, purchases);

    private static DailyActivity Returned(int dayFromC, decimal amount = 20m) => new(C + dayFromC, 0m, amount, 0);

    private static double Expected(int x, double txDays, double tDays, double weeks) =>
        BgNbdModel.ExpectedPurchases(Cdnow, new CustomerValueInputs(x, txDays / 7, tDays / 7, x == 0 ? 0 : 20), weeks);

    [Fact]
    public void DaysSplitAtTheCalibrationDayAndOnlyHoldoutOccasionsWithinTheHoldoutCount()
    {
        var cohort = new BacktestCohort(C, holdoutWeeks: 2);

        // Calibration: days −14 and −7; holdout: day 1 (week 1) and day 8 (week 2); day 15 is
        // after the two weeks, and a return alone is no purchase.
        Assert.True(cohort.Add([Bought(-14), Bought(-7), Bought(1), Returned(3), Bought(8), Bought(15)]));
        var result = cohort.Evaluate(Cdnow);

        Assert.Equal(1, result.Customers);
        Assert.Equal([1L, 2L], result.ActualCumulative);
        Assert.Equal(2, result.ActualPurchases);
        // Statistics as of the calibration day: x = 1, t_x = 1 week, T = 2 weeks.
        Assert.Equal(Expected(1, 7, 14, 1), result.PredictedCumulative[0], 12);
        Assert.Equal(Expected(1, 7, 14, 2), result.PredictedCumulative[1], 12);
        Assert.Equal(result.PredictedCumulative[1], result.PredictedPurchases);
    }

    [Fact]
    public void TheCalibrationDayBelongsToTheCalibrationAndTheLastHoldoutDayToTheHoldout()
    {
        var cohort = new BacktestCohort(C, holdoutWeeks: 1);

        // A first purchase on the calibration day; day 7 is the holdout's last day, day 8 is past it.
        Assert.True(cohort.Add([Bought(0), Bought(7), Bought(8)]));
        var result = cohort.Evaluate(Cdnow);

        Assert.Equal([1L], result.ActualCumulative);
        Assert.Equal(Expected(0, 0, 0, 1), result.PredictedPurchases, 12);
        Assert.Equal(C + 7, cohort.LastHoldoutDay);
    }

    [Fact]
    public void CustomersWithoutACalibrationPurchaseAreNotInTheCohortAndTheirHoldoutIsNotCounted()
    {
        var cohort = new BacktestCohort(C, holdoutWeeks: 2);

        Assert.False(cohort.Add([Bought(3), Bought(10)]));
        Assert.False(cohort.Add([Returned(-5), Bought(2)]));
        Assert.False(cohort.Add([]));
        Assert.True(cohort.Add([Bought(-3)]));
        var result = cohort.Evaluate(Cdnow);

        Assert.Equal(1, result.Customers);
        Assert.Equal([0L, 0L], result.ActualCumulative);
        Assert.Equal(Expected(0, 0, 3, 2), result.PredictedPurchases, 12);
    }

    [Fact]
    public void SameDayPurchasesAreOneOccasionInTheCalibrationAndInTheHoldout()
    {
        var merged = new BacktestCohort(C, holdoutWeeks: 1);
        var single = new BacktestCohort(C, holdoutWeeks: 1);

        // Three purchases on day −7 and on day 2, also given as two entries for day 2.
        Assert.True(merged.Add([Bought(-14), Bought(-7, purchases: 3), Bought(2, purchases: 2), Bought(2)]));
        Assert.True(single.Add([Bought(-14), Bought(-7), Bought(2)]));
        var (m, s) = (merged.Evaluate(Cdnow), single.Evaluate(Cdnow));

        Assert.Equal([1L], m.ActualCumulative);
        Assert.Equal(s.PredictedPurchases, m.PredictedPurchases);
        Assert.Equal(Expected(1, 7, 14, 1), m.PredictedPurchases, 12);
    }

    [Fact]
    public void WeeklySeriesAreCumulativeOverTheWholeCohort()
    {
        var cohort = new BacktestCohort(C, holdoutWeeks: 3);
        cohort.Add([Bought(-21), Bought(-10), Bought(1), Bought(2), Bought(20)]);
        cohort.Add([Bought(-4), Bought(9)]);
        cohort.Add([Bought(-30)]);

        var result = cohort.Evaluate(Cdnow);

        // Week 1: days 1, 2; week 2: day 9; week 3: day 20.
        Assert.Equal([2L, 3L, 4L], result.ActualCumulative);
        for (var w = 1; w <= 3; w++)
        {
            var expected = Expected(1, 11, 21, w) + Expected(0, 0, 4, w) + Expected(0, 0, 30, w);
            Assert.Equal(expected, result.PredictedCumulative[w - 1], 12);
        }

        Assert.True(result.PredictedCumulative[0] < result.PredictedCumulative[1] && result.PredictedCumulative[1] < result.PredictedCumulative[2]);
    }

    [Fact]
    public void MeanAbsoluteErrorAndCorrelationCompareEachCustomersHoldoutPrediction()
    {
        var cohort = new BacktestCohort(C, holdoutWeeks: 4);
        cohort.Add([Bought(-70), Bought(-50), Bought(-30), Bought(-10), Bought(-2), Bought(3), Bought(10), Bought(17)]);
        cohort.Add([Bought(-60), Bought(-45), Bought(20)]);
        cohort.Add([Bought(-80)]);

        var result = cohort.Evaluate(Cdnow);

        double[] predicted = [Expected(4, 68, 70, 4), Expected(1, 15, 60, 4), Expected(0, 0, 80, 4)];
        double[] actual = [3, 1, 0];
        Assert.Equal((Math.Abs(predicted[0] - 3) + Math.Abs(predicted[1] - 1) + predicted[2]) / 3, result.MeanAbsoluteError, 12);
        Assert.Equal(Pearson(predicted, actual), result.Correlation, 12);
        Assert.True(result.Correlation > 0.9);
    }

    [Fact]
    public void CorrelationIsUndefinedWhenNobodyDiffers()
    {
        var cohort = new BacktestCohort(C, holdoutWeeks: 2);
        cohort.Add([Bought(-7)]);
        cohort.Add([Bought(-7), Bought(5)]);

        // Both have the same history, so the same prediction.
        var result = cohort.Evaluate(Cdnow);

        Assert.True(double.IsNaN(result.Correlation));
        Assert.Equal(Math.Abs(result.PredictedPurchases / 2 - 1) + (result.PredictedPurchases / 2), 2 * result.MeanAbsoluteError, 12);
        Assert.True(double.IsNaN(new BacktestCohort(C, 2).Evaluate(Cdnow).MeanAbsoluteError));
    }

    [Fact]
    public void ALargeCohortGivesTheSameFiguresInAnyOrderAndOnAnyNumberOfThreads()
    {
        var random = new Random(5);
        var customers = Enumerable.Range(0, 600)
            .Select(_ => Enumerable.Range(0, random.Next(1, 8)).Select(_ => Bought(random.Next(-200, 60))).DistinctBy(d => d.Day).OrderBy(d => d.Day).ToList())
            .ToList();
        var forward = new BacktestCohort(C, holdoutWeeks: 8);
        var backward = new BacktestCohort(C, holdoutWeeks: 8);
        foreach (var days in customers)
        {
            forward.Add(days);
        }

        foreach (var days in Enumerable.Reverse(customers))
        {
            backward.Add(days);
        }

        var (a, b) = (forward.Evaluate(Cdnow), backward.Evaluate(Cdnow, maxDegreeOfParallelism: 1));

        Assert.Equal(a.Customers, b.Customers);
        Assert.Equal(a.ActualCumulative, b.ActualCumulative);
        Assert.Equal(a.PredictedCumulative, b.PredictedCumulative, (x, y) => Math.Abs(x - y) <= 1e-9 * Math.Abs(x));
        Assert.Equal(a.Correlation, b.Correlation, 12);
        Assert.Equal(a.MeanAbsoluteError, b.MeanAbsoluteError, 12);

        // Shared histories are evaluated once: the total is still the sum over every customer.
        var naive = customers.Select(days => PurchaseOccasions.FromDays(days.Where(d => d.Day <= C)).ToInputs(C))
            .OfType<CustomerValueInputs>()
            .Sum(inputs => BgNbdModel.ExpectedPurchases(Cdnow, inputs, 8));
        Assert.Equal(naive, a.PredictedPurchases, 9);
    }

    [Fact]
    public void TheHoldoutEndsAtTheEndOfItsLastUtcDay()
    {
        var end = BacktestCohort.HoldoutEnd(new DateTimeOffset(2025, 3, 10, 15, 30, 0, TimeSpan.FromHours(2)), 2);

        Assert.Equal(new DateTimeOffset(2025, 3, 25, 0, 0, 0, TimeSpan.Zero).AddTicks(-1), end);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(BacktestCohort.MaxHoldoutWeeks + 1)]
    public void HoldoutsOutsideOneToTenYearsAreRefused(int weeks)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BacktestCohort(C, weeks));
    }

    private static double Pearson(double[] x, double[] y)
    {
        var (mx, my) = (x.Average(), y.Average());
        var sxy = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum();
        return sxy / Math.Sqrt(x.Sum(a => (a - mx) * (a - mx)) * y.Sum(b => (b - my) * (b - my)));
    }
}

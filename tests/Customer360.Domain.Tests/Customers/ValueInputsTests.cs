using Customer360.Domain.Customers;
using Customer360.Domain.Values.Models;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Customers;

/// <summary>
/// A customer's aggregates keep the lifetime-value inputs as touchpoints arrive. They must agree
/// with <see cref="PurchaseOccasions"/>, the definition, whatever the order of arrival.
/// </summary>
public sealed class ValueInputsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void LiveInputsEqualTheDefinitionForAnyHistoryAndArrivalOrder(int seed)
    {
        var random = new Random(seed);
        var history = new List<Touchpoint>();
        for (var i = 0; i < 60; i++)
        {
            // Few distinct days, so that days collect several purchases and returns.
            var at = Now.AddDays(-random.Next(0, 40)).AddHours(random.Next(0, 24));
            var amount = random.Next(0, 20_000) / 100m;
            history.Add(random.Next(4) == 0 ? Return($"r{i}", at, amount) : Purchase($"p{i}", at, amount));
        }

        var reference = DailyActivity.DayOf(Now) + 10;
        var live = CustomerWith(Shuffled(history, seed)).Aggregates;

        var definition = new PurchaseOccasions();
        foreach (var t in history.Select(Accept))
        {
            if (t.Kind == TouchpointKind.Purchase)
            {
                definition.AddPurchase(t.OccurredAt, t.ReportingAmount!.Value);
            }
            else
            {
                definition.AddReturn(t.OccurredAt, t.ReportingAmount!.Value);
            }
        }

        Assert.Equal(definition.ToInputs(reference), live.ValueInputs(reference));
        Assert.Equal(definition.RepeatValue, live.RepeatOccasionValue);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void DaysAndNetSpendEqualSumsByDayForAnyArrivalOrderAndSurviveARestore(int seed)
    {
        // Purchases and returns are kept apart in memory; read back, each day must still carry
        // both sums and the purchase count, including days with only returns, returns of nothing,
        // and purchases of nothing.
        var random = new Random(seed);
        var history = new List<Touchpoint>();
        for (var i = 0; i < 80; i++)
        {
            var at = Now.AddDays(-random.Next(0, 30)).AddHours(random.Next(0, 24));
            var amount = random.Next(4) == 0 ? 0m : random.Next(1, 20_000) / 100m;
            history.Add(random.Next(3) == 0 ? Return($"r{i}", at, amount) : Purchase($"p{i}", at, amount));
        }

        var expected = history.Select(Accept)
            .GroupBy(t => DailyActivity.DayOf(t.OccurredAt))
            .OrderBy(g => g.Key)
            .Select(g => new DailyActivity(
                g.Key,
                g.Where(t => t.Kind == TouchpointKind.Purchase).Sum(t => t.ReportingAmount!.Value),
                g.Where(t => t.Kind == TouchpointKind.Return).Sum(t => t.ReportingAmount!.Value),
                g.Count(t => t.Kind == TouchpointKind.Purchase)))
            .ToList();
        var live = CustomerWith(Shuffled(history, seed)).Aggregates;
        var restored = new CustomerAggregates(
            live.ByChannel.ToArray(), live.ByKind.ToArray(), live.LastTicksByChannel.ToArray(), live.GrossPurchases, live.TotalReturns,
            live.OrderCount, live.FirstPurchaseAt, live.LastPurchaseAt, live.LastContactAt, live.Days.Reverse());

        Assert.Contains(expected, d => d.PurchaseCount == 0);
        Assert.Contains(expected, d => d.PurchaseCount > 0 && d.Returns > 0m);
        foreach (var aggregates in new[] { live, restored })
        {
            Assert.Equal(CustomerSnapshot.FormatDays(expected), CustomerSnapshot.FormatDays(aggregates.Days));
            Assert.Equal(expected.Count(d => d.PurchaseCount > 0), aggregates.DistinctPurchaseDays);
            var from = DailyActivity.DayOf(Now) - 20;
            var to = DailyActivity.DayOf(Now) - 5;
            Assert.Equal(
                expected.Where(d => d.Day >= from && d.Day <= to).Sum(d => d.Purchases - d.Returns),
                aggregates.NetSpendBetween(from, to));
            Assert.Equal(expected.Sum(d => d.Purchases - d.Returns), aggregates.NetSpendBetween(int.MinValue, int.MaxValue));
        }

        Assert.Equal(live.OccasionValue, restored.OccasionValue);
        Assert.Equal(live.RepeatOccasionValue, restored.RepeatOccasionValue);
    }

    [Fact]
    public void RestoredAggregatesGiveTheSameInputs()
    {
        var live = CustomerWith(MixedHistory.Touchpoints()).Aggregates;
        var restored = new CustomerAggregates(
            live.ByChannel.ToArray(), live.ByKind.ToArray(), live.LastTicksByChannel.ToArray(), live.GrossPurchases, live.TotalReturns,
            live.OrderCount, live.FirstPurchaseAt, live.LastPurchaseAt, live.LastContactAt, live.Days);

        var reference = DailyActivity.DayOf(Now);
        Assert.NotNull(live.ValueInputs(reference));
        Assert.Equal(live.ValueInputs(reference), restored.ValueInputs(reference));
        Assert.Equal(live.RepeatOccasionValue, restored.RepeatOccasionValue);
    }

    [Fact]
    public void AReturnOnTheFirstDayLowersNeitherTheRepeatValueNorTheCount()
    {
        var aggregates = CustomerWith(
        [
            Purchase("p1", Now.AddDays(-20), 100m),
            Return("r1", Now.AddDays(-20).AddHours(1), 30m),
            Purchase("p2", Now.AddDays(-10), 50m),
            Return("r2", Now.AddDays(-10).AddHours(1), 80m),
            Purchase("p3", Now.AddDays(-3), 40m),
        ]).Aggregates;

        var inputs = aggregates.ValueInputs(DailyActivity.DayOf(Now))!.Value;

        // Occasions: day −20 (first, 70), day −10 (50 − 80, floored at 0), day −3 (40).
        Assert.Equal(2, inputs.X);
        Assert.Equal(40m, aggregates.RepeatOccasionValue);
        Assert.Equal(20.0, inputs.MeanRepeatValue, 12);
        Assert.Equal(17 / 7.0, inputs.Tx, 12);
        Assert.Equal(20 / 7.0, inputs.T, 12);
    }
}

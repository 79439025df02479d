using Customer360.Domain.Customers;
using Customer360.Domain.Values;
using Customer360.Domain.Values.Models;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Values;

/// <summary>
/// The value summary stored with a snapshot is all the re-scoring sweep knows of a customer
/// that is not in memory: scored from it, the customer gets exactly the value and the segment
/// contributions it gets in memory.
/// </summary>
public sealed class CustomerValueSummaryTests
{
    private static readonly ValueModel Model = new()
    {
        Version = 5,
        FittedAt = Now,
        CalibrationEnd = Now,
        Purchasing = new BgNbdParameters(0.243, 4.414, 0.793, 2.426),
        Spending = new GammaGammaParameters(6.25, 3.74, 15.44),
        Tiers = new TierThresholds { Platinum = 400m, Gold = 100m, Silver = 20m },
        Rfm = new RfmQuintiles([7, 30, 90, 180], [1, 2, 3, 5], [20, 40, 60, 100]),
    };

    public static TheoryData<string> Histories() => ["one purchase", "repeat buyer", "returns and channels", "same-day purchases", "never bought"];

    private static IReadOnlyList<Touchpoint> History(string name) => name switch
    {
        "one purchase" => [Purchase("p1", Day(-30), 40m)],
        "repeat buyer" => [Purchase("p1", Day(-300), 50m), Purchase("p2", Day(-200), 70m), Purchase("p3", Day(-20), 900m, Channel.MobileApp)],
        "returns and channels" =>
        [
            Purchase("p1", Day(-120), 80m, Channel.PointOfSale), Return("r1", Day(-120), 100m, Channel.PointOfSale),
            Purchase("p2", Day(-60), 120m, Channel.Web), Return("r2", Day(-59), 20m, Channel.Web),
            Event("v1", Day(-5), Channel.Email, TouchpointKind.Visit), Event("v2", Day(-4), Channel.Email, TouchpointKind.Visit),
            Event("v3", Day(-3), Channel.Email, TouchpointKind.Visit),
        ],
        "same-day purchases" => [Purchase("p1", Day(-90), 10m), Purchase("p2", Day(-90).AddHours(3), 15m), Purchase("p3", Day(-2), 30m)],
        _ => [Event("v1", Day(-3), Channel.CallCentre, TouchpointKind.Visit)],
    };

    [Theory]
    [MemberData(nameof(Histories))]
    public void ScoringTheSummaryGivesTheLiveCustomersValueAndContributions(string history)
    {
        var customer = CustomerWith(History(history), new CustomerRules { ValueModel = Model });
        var summary = customer.ValueSummary();

        // As of the day the customer was scored, and as of a later day (the sweep's case).
        Assert.Equal(customer.Value, ValueScorer.Assess(summary, Model, Now));
        Assert.Equal(customer.SegmentContributions(), summary.Contributions(ValueScorer.Assess(summary, Model, Now)));

        var later = Now.AddDays(45);
        customer.Reassess(new CustomerRules { ValueModel = Model }, later);
        var fromSummary = ValueScorer.Assess(summary, Model, later);
        Assert.Equal(customer.Value, fromSummary);
        Assert.Equal(customer.SegmentContributions(), summary.Contributions(fromSummary));
    }

    [Fact]
    public void TheSummaryCarriesTheCustomersVersionAndWhatTheModelsRead()
    {
        var customer = CustomerWith(History("returns and channels"));

        var summary = customer.ValueSummary();

        Assert.Equal(customer.Version, summary.Version);
        Assert.Equal(2, summary.PurchaseDays);
        Assert.Equal(DailyActivity.DayOf(Day(-120)), summary.FirstPurchaseDay);
        Assert.Equal(DailyActivity.DayOf(Day(-60)), summary.LastPurchaseDay);
        // The first day's purchase is wiped out by its return (floored at 0); the second day's stands.
        Assert.Equal(120m, summary.OccasionValue);
        Assert.Equal(120m, summary.RepeatOccasionValue);
        Assert.Equal(80m, summary.NetSpend);
        Assert.Equal(Channel.Email, summary.PreferredChannel);
    }

    [Fact]
    public void ACustomerWhoNeverBoughtHasNoModelInputsAndScoresZero()
    {
        var summary = CustomerWith(History("never bought")).ValueSummary();

        Assert.False(summary.HasPurchased);
        Assert.Null(summary.ValueInputs(DailyActivity.DayOf(Now)));
        var value = ValueScorer.Assess(summary, Model, Now);
        Assert.Equal(0m, value.Score);
        Assert.Equal(Model.Version, value.ModelVersion);
    }
}

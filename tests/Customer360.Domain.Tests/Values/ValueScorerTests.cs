using Customer360.Domain.Customers;
using Customer360.Domain.Values;
using Customer360.Domain.Values.Models;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Values;

public sealed class ValueScorerTests
{
    private static readonly ValueModel Model = new()
    {
        Version = 3,
        FittedAt = Now,
        CalibrationEnd = Now,
        Purchasing = new BgNbdParameters(0.243, 4.414, 0.793, 2.426),
        Spending = new GammaGammaParameters(6.25, 3.74, 15.44),
        Tiers = new TierThresholds { Platinum = 400m, Gold = 100m, Silver = 20m },
        Rfm = new RfmQuintiles([7, 30, 90, 180], [1, 2, 3, 5], [20, 40, 60, 100]),
    };

    [Fact]
    public void WithAModelTheScoreIsTheClvAndTheTierComesFromTheModelsCutPoints()
    {
        var customer = CustomerWith(
            [Purchase("p1", Now.AddDays(-70), 50m), Purchase("p2", Now.AddDays(-40), 70m), Purchase("p3", Now.AddDays(-10), 90m)],
            new CustomerRules { ValueModel = Model });

        var value = customer.Value!;
        var inputs = customer.Aggregates.ValueInputs(DailyActivity.DayOf(Now))!.Value;
        var expected = CustomerLifetimeValue.Estimate(Model.Purchasing, Model.Spending, inputs, Model.Lifetime);

        Assert.False(value.IsFallback);
        Assert.Equal("clv-bgnbd-gg/v3", value.Model);
        Assert.Equal(3, value.ModelVersion);
        Assert.Equal(decimal.Round((decimal)expected.LifetimeValue, 2), value.Score);
        Assert.Equal(Model.Tiers.TierOf(value.Score), value.Tier);
        Assert.Equal(expected, value.Estimate);
        // 10 days since the last purchase (score 4), 3 occasions (3), a mean occasion of 70 (4).
        Assert.Equal(new RfmScore(4, 3, 4), value.Rfm);
    }

    [Fact]
    public void ANewPurchaseRescoresTheCustomerAtOnce()
    {
        var rules = new CustomerRules { ValueModel = Model };
        var customer = CustomerWith([Purchase("p1", Now.AddDays(-70), 50m), Purchase("p2", Now.AddDays(-40), 20m)], rules);
        var before = customer.Value!;

        customer.Apply(Purchase("p3", Now.AddDays(-1), 900m), rules, Now);

        Assert.True(customer.Value!.Score > before.Score);
        Assert.True(customer.Value.Tier > before.Tier);
    }

    [Fact]
    public void WithoutAModelTheScoreIsTheLabelledFallback()
    {
        var customer = CustomerWith([Purchase("p1", Now.AddDays(-3), 250m)]);

        Assert.True(customer.Value!.IsFallback);
        Assert.Equal(FallbackValueScore.ModelName, customer.Value.Model);
        Assert.Equal(250m, customer.Value.Score);
        Assert.Null(customer.Value.Estimate);
        Assert.Null(customer.Value.Rfm);
    }

    [Fact]
    public void ACustomerWhoNeverBoughtScoresZeroUnderAModel()
    {
        var customer = CustomerWith([Event("v1", Now.AddDays(-3), Channel.Web, TouchpointKind.Visit)], new CustomerRules { ValueModel = Model });

        Assert.Equal(0m, customer.Value!.Score);
        Assert.Equal(ValueTier.Bronze, customer.Value.Tier);
        Assert.Equal(3, customer.Value.ModelVersion);
        Assert.Null(customer.Value.Estimate);
    }

    [Theory]
    [InlineData(double.NaN, 0)]
    [InlineData(double.PositiveInfinity, 0)]
    [InlineData(-5.0, 0)]
    [InlineData(12.345, 12.34)]
    [InlineData(1e30, 1e15)]
    public void ScoresAreAlwaysFiniteCentsAndNeverNegative(double clv, double expected)
    {
        Assert.Equal((decimal)expected, ValueScorer.ToCents(clv));
    }
}

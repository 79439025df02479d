using Customer360.Domain.Customers;
using Customer360.Domain.Values;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Values;

public sealed class FallbackValueScoreTests
{
    private static readonly CustomerRules Rules = new();

    [Fact]
    public void ValueIsUnassessedUntilTheFirstChange()
    {
        Assert.Null(NewCustomer().Value);
    }

    [Fact]
    public void ScoreIsNetSpendOverTheLast365UtcDays()
    {
        // Now is 2025-06-15 12:00 UTC: the window is the days 2024-06-16 ..= 2025-06-15.
        var customer = CustomerWith(
            [
                Purchase("before-window", Utc(2024, 6, 15, 23, 59, 59), 1000m),
                Purchase("window-start", Utc(2024, 6, 16, 0, 0, 0), 100m),
                Purchase("mid-window", Utc(2025, 1, 1, 12), 50m),
                Return("mid-window-return", Utc(2025, 2, 1, 12), 30m),
                Purchase("today-early", Utc(2025, 6, 15, 0, 0, 0), 7m),
            ]);

        var value = Assert.IsType<ValueAssessment>(customer.Value);
        Assert.Equal(127m, value.Score);
        Assert.Equal("fallback-net-spend-365d", value.Model);
        Assert.True(value.IsFallback);
        Assert.Null(value.Estimate);
        Assert.Equal(Now, value.ComputedAt);
        Assert.Equal(1127m, customer.Aggregates.NetSpend);
    }

    [Fact]
    public void ScoreIsFlooredAtZero()
    {
        var customer = CustomerWith([Purchase("p1", Day(-10), 50m), Return("r1", Day(-5), 80m)]);

        Assert.Equal(-30m, customer.Aggregates.NetSpend);
        Assert.Equal(0m, customer.Value!.Score);
        Assert.Equal(ValueTier.Bronze, customer.Value.Tier);
    }

    [Fact]
    public void ReturnInsideTheWindowOfAPurchaseOutsideItLowersTheScore()
    {
        var customer = CustomerWith(
            [
                Purchase("old", Day(-400), 500m),
                Purchase("recent", Day(-10), 300m),
                Return("return-of-old", Day(-5), 500m),
            ]);

        Assert.Equal(0m, customer.Value!.Score);
        Assert.Equal(300m, customer.Aggregates.NetSpend);
    }

    [Theory]
    [InlineData(0.125, 0.12)]
    [InlineData(0.135, 0.14)]
    [InlineData(199.995, 200.00)]
    public void ScoreIsRoundedToCentsHalfToEven(decimal purchase, decimal expectedScore)
    {
        var customer = CustomerWith([Purchase("p1", Day(-1), purchase)]);

        Assert.Equal(expectedScore, customer.Value!.Score);
    }

    [Theory]
    [InlineData(0, ValueTier.Bronze)]
    [InlineData(199.99, ValueTier.Bronze)]
    [InlineData(200, ValueTier.Silver)]
    [InlineData(999.99, ValueTier.Silver)]
    [InlineData(1000, ValueTier.Gold)]
    [InlineData(4999.99, ValueTier.Gold)]
    [InlineData(5000, ValueTier.Platinum)]
    [InlineData(250000, ValueTier.Platinum)]
    public void TierFollowsTheDefaultThresholds(decimal purchase, ValueTier expected)
    {
        var customer = CustomerWith([Purchase("p1", Day(-1), purchase)]);

        Assert.Equal(purchase, customer.Value!.Score);
        Assert.Equal(expected, customer.Value.Tier);
    }

    [Fact]
    public void TierUsesTheConfiguredThresholds()
    {
        var rules = new CustomerRules { Tiers = new TierThresholds { Silver = 10m, Gold = 20m, Platinum = 30m } };

        var customer = CustomerWith([Purchase("p1", Day(-1), 20m)], rules);

        Assert.Equal(ValueTier.Gold, customer.Value!.Tier);
    }

    [Fact]
    public void ProfileChangeAssessesValueToo()
    {
        var customer = NewCustomer();

        customer.Apply(new ProfilePatch { GivenName = "Ada" }, Rules, Now);

        Assert.Equal(0m, customer.Value!.Score);
        Assert.Equal(ValueTier.Bronze, customer.Value.Tier);
    }

    [Fact]
    public void ReassessingMovesTheWindowAndThresholdsWithoutANewVersion()
    {
        var customer = CustomerWith([Purchase("p1", Day(-300), 1500m)]);
        Assert.Equal(ValueTier.Gold, customer.Value!.Tier);

        var stricter = new CustomerRules { Tiers = new TierThresholds { Gold = 2000m, Platinum = 3000m } };
        customer.Reassess(stricter, Now);
        Assert.Equal(1500m, customer.Value.Score);
        Assert.Equal(ValueTier.Silver, customer.Value.Tier);

        var later = Now.AddDays(70);
        customer.Reassess(Rules, later);
        Assert.Equal(0m, customer.Value.Score);
        Assert.Equal(later, customer.Value.ComputedAt);
        Assert.Equal(1, customer.Version);
    }

    [Fact]
    public void AssessIsAPureFunctionOfAggregatesThresholdsAndDay()
    {
        var aggregates = new CustomerAggregates();
        aggregates.Apply(Purchase("p1", Utc(2025, 6, 1, 12), 300m));

        var onTheDay = FallbackValueScore.Assess(aggregates, new TierThresholds(), Utc(2025, 6, 1, 0, 0, 1));
        var lastDayInWindow = FallbackValueScore.Assess(aggregates, new TierThresholds(), Utc(2026, 5, 31, 23, 59, 59));
        var firstDayOutside = FallbackValueScore.Assess(aggregates, new TierThresholds(), Utc(2026, 6, 1, 0, 0, 0));

        Assert.Equal(300m, onTheDay.Score);
        Assert.Equal(300m, lastDayInWindow.Score);
        Assert.Equal(0m, firstDayOutside.Score);
        Assert.Equal(ValueTier.Silver, onTheDay.Tier);
        Assert.Equal(ValueTier.Bronze, firstDayOutside.Tier);
    }
}

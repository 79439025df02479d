using Customer360.Domain.Values;

namespace Customer360.Domain.Tests.Values;

public sealed class TierThresholdsTests
{
    [Theory]
    [InlineData(-1, ValueTier.Bronze)]
    [InlineData(9.99, ValueTier.Bronze)]
    [InlineData(10, ValueTier.Silver)]
    [InlineData(19.99, ValueTier.Silver)]
    [InlineData(20, ValueTier.Gold)]
    [InlineData(29.99, ValueTier.Gold)]
    [InlineData(30, ValueTier.Platinum)]
    public void TierStartsAtEachThreshold(decimal score, ValueTier expected)
    {
        var thresholds = new TierThresholds { Silver = 10m, Gold = 20m, Platinum = 30m };

        Assert.Equal(expected, thresholds.TierOf(score));
    }

    [Fact]
    public void EqualThresholdsGiveTheHigherTier()
    {
        var thresholds = new TierThresholds { Silver = 100m, Gold = 100m, Platinum = 100m };

        Assert.Equal(ValueTier.Platinum, thresholds.TierOf(100m));
        Assert.Equal(ValueTier.Bronze, thresholds.TierOf(99.99m));
        Assert.Null(thresholds.Problem());
    }

    [Fact]
    public void DefaultThresholdsAreInOrder()
    {
        var thresholds = new TierThresholds();

        Assert.Equal(5000m, thresholds.Platinum);
        Assert.Equal(1000m, thresholds.Gold);
        Assert.Equal(200m, thresholds.Silver);
        Assert.Null(thresholds.Problem());
    }

    [Fact]
    public void ZeroSilverIsAllowed()
    {
        Assert.Null(new TierThresholds { Silver = 0m }.Problem());
    }

    [Theory]
    [InlineData(-0.01, 1000, 5000, "Silver must not be negative")]
    [InlineData(200, 199.99, 5000, "Gold must be at least Silver")]
    [InlineData(200, 1000, 999.99, "Platinum must be at least Gold")]
    [InlineData(300, 200, 100, "Gold must be at least Silver")]
    public void ThresholdsOutOfOrderAreAProblem(decimal silver, decimal gold, decimal platinum, string expected)
    {
        var thresholds = new TierThresholds { Silver = silver, Gold = gold, Platinum = platinum };

        Assert.Equal(expected, thresholds.Problem());
    }
}

using Customer360.Domain.Values;
using Customer360.Domain.Values.Models;

namespace Customer360.Domain.Tests.Values.Models;

public sealed class PopulationCutsTests
{
    private static readonly double[] OneToHundred = [.. Enumerable.Range(1, 100).Select(i => (double)i)];

    [Fact]
    public void DefaultSharesCutTheTopOneNineAndFortyPercent()
    {
        var thresholds = PopulationCuts.Tiers(OneToHundred.Reverse().ToArray());

        Assert.Equal(new TierThresholds { Platinum = 100m, Gold = 91m, Silver = 51m }, thresholds);
        var tiers = OneToHundred.Select(v => thresholds.TierOf((decimal)v)).ToList();
        Assert.Equal(1, tiers.Count(t => t == ValueTier.Platinum));
        Assert.Equal(9, tiers.Count(t => t == ValueTier.Gold));
        Assert.Equal(40, tiers.Count(t => t == ValueTier.Silver));
        Assert.Equal(50, tiers.Count(t => t == ValueTier.Bronze));
    }

    [Fact]
    public void SharesAreConfigurableAndAZeroShareIsOutOfReach()
    {
        var thresholds = PopulationCuts.Tiers(OneToHundred, new TierShares { Platinum = 0, Gold = 0.25, Silver = 0.25 });

        Assert.Equal(decimal.MaxValue, thresholds.Platinum);
        Assert.Equal(76m, thresholds.Gold);
        Assert.Equal(51m, thresholds.Silver);
        Assert.Null(thresholds.Problem());
    }

    [Fact]
    public void TiesAtACutShareTheHigherTier()
    {
        var thresholds = PopulationCuts.Tiers([5, 5, 5, 5, 1]);

        Assert.Equal(ValueTier.Platinum, thresholds.TierOf(5m));
        Assert.Equal(ValueTier.Bronze, thresholds.TierOf(1m));
    }

    [Fact]
    public void ACustomerWorthNothingIsBronzeEvenWhenMostAreWorthNothing()
    {
        // Most customers long gone: the 40th and 10th percentiles are 0.
        var values = Enumerable.Repeat(0.0, 95).Concat([0.004, 2, 3, 4, 50]).ToArray();

        var thresholds = PopulationCuts.Tiers(values);

        Assert.Equal(ValueTier.Bronze, thresholds.TierOf(0m));
        Assert.Equal(ValueTier.Platinum, thresholds.TierOf(50m));
        // The 10th and 40th highest are 0: gold and silver both start at a cent.
        Assert.Equal(0.01m, thresholds.Gold);
        Assert.Equal(0.01m, thresholds.Silver);
        Assert.Equal(ValueTier.Gold, thresholds.TierOf(0.01m));
    }

    [Fact]
    public void CutsAreInCents()
    {
        var thresholds = PopulationCuts.Tiers([10.004, 3.3333, 1.0]);

        Assert.Equal(10.00m, thresholds.Platinum);
        Assert.Equal(3.33m, thresholds.Silver);
    }

    [Theory]
    [InlineData(-0.1, 0.1, 0.1)]
    [InlineData(0.5, 0.3, 0.3)]
    [InlineData(double.NaN, 0.1, 0.1)]
    public void RejectsUnusableShares(double platinum, double gold, double silver)
    {
        var shares = new TierShares { Platinum = platinum, Gold = gold, Silver = silver };

        Assert.NotNull(shares.Problem());
        Assert.Throws<ArgumentException>(() => PopulationCuts.Tiers(OneToHundred, shares));
    }

    [Fact]
    public void RejectsAnEmptyOrNonFinitePopulation()
    {
        Assert.Throws<ArgumentException>(() => PopulationCuts.Tiers([]));
        Assert.Throws<ArgumentException>(() => PopulationCuts.Tiers([1, double.NaN]));
        Assert.Throws<ArgumentException>(() => RfmQuintiles.FromPopulation([1], [1, 2], [1]));
    }

    [Fact]
    public void QuintilesSplitTenCustomersIntoPairs()
    {
        double[] values = [7, 2, 9, 4, 1, 10, 3, 6, 5, 8];

        var quintiles = RfmQuintiles.FromPopulation(values, values, values);

        Assert.Equal([2.0, 4, 6, 8], quintiles.FrequencyCuts);
        var scores = Enumerable.Range(1, 10).Select(v => quintiles.Score(v, v, v)).ToList();
        Assert.Equal([1, 1, 2, 2, 3, 3, 4, 4, 5, 5], scores.Select(s => s.Frequency));
        Assert.Equal([1, 1, 2, 2, 3, 3, 4, 4, 5, 5], scores.Select(s => s.Monetary));
        // Recency is time since the last purchase: the most recent fifth scores 5.
        Assert.Equal([5, 5, 4, 4, 3, 3, 2, 2, 1, 1], scores.Select(s => s.Recency));
    }

    [Fact]
    public void TiedQuintilesShareAScore()
    {
        // Most customers never came back: frequency 0 for 60% of them.
        double[] frequency = [0, 0, 0, 0, 0, 0, 1, 2, 3, 9];
        double[] other = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

        var quintiles = RfmQuintiles.FromPopulation(other, frequency, other);

        Assert.Equal(1, quintiles.Score(5, 0, 5).Frequency);
        Assert.Equal(4, quintiles.Score(5, 1, 5).Frequency);
        Assert.Equal(5, quintiles.Score(5, 3, 5).Frequency);
    }
}

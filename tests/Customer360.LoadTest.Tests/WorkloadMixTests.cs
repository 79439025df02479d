using Customer360.Domain.Customers;
using Customer360.LoadTest.Workload;

namespace Customer360.LoadTest.Tests;

public sealed class WorkloadMixTests
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ASkewedWorkloadGivesMostTouchpointsToFewCustomers()
    {
        var even = new WorkloadGenerator(7).Generate("even", 100_000, 10_000, AsOf);
        var skewed = new WorkloadGenerator(7, WorkloadMix.Retail with { Skew = 1.0 }).Generate("skewed", 100_000, 10_000, AsOf);

        // Zipf with s = 1 over 10,000 customers: the busiest 100 expect H(100) / H(10,000), about
        // 53% of all touchpoints; spread evenly they get about 1%.
        Assert.InRange(skewed.ShareOfBusiest(0.01), 0.48, 0.58);
        Assert.InRange(even.ShareOfBusiest(0.01), 0.005, 0.03);
    }

    [Fact]
    public void TheBusiestCustomersAreScatteredAndTheSameForEverySeed()
    {
        var mix = WorkloadMix.Retail with { Skew = 1.2 };
        var first = Busiest(new WorkloadGenerator(1, mix).Generate("a", 50_000, 1_000, AsOf));
        var second = Busiest(new WorkloadGenerator(2, mix).Generate("b", 50_000, 1_000, AsOf));

        Assert.Equal(first, second);
        Assert.NotEqual(0, first);

        static int Busiest(IngestWorkload workload) => workload.Touchpoints.CountBy(t => t.CustomerIndex).MaxBy(c => c.Value).Key;
    }

    [Fact]
    public void KindsAndChannelsFollowTheMix()
    {
        var mix = new WorkloadMix
        {
            Kinds = WorkloadMix.ParseWeights<TouchpointKind>("purchase=3,visit=1", "--mix"),
            Channels = WorkloadMix.ParseWeights<Channel>("web=1", "--channel-mix"),
        };
        var workload = new WorkloadGenerator(3, mix).Generate("mix", 4_000, 100, AsOf);
        var kinds = workload.Touchpoints.CountBy(t => (TouchpointKind)t.Kind).ToDictionary();

        Assert.Equal([TouchpointKind.Purchase, TouchpointKind.Visit], kinds.Keys.Order());
        Assert.InRange(kinds[TouchpointKind.Purchase] / 4_000.0, 0.70, 0.80);
        Assert.All(workload.Touchpoints, t => Assert.Equal((int)Channel.Web, (int)t.Message.Channel));
    }

    [Fact]
    public void TheSameSeedAndMixGiveTheSameTouchpoints()
    {
        var mix = WorkloadMix.Retail with { Skew = 0.8 };
        var first = new WorkloadGenerator(11, mix).Generate("same", 2_000, 300, AsOf);
        var again = new WorkloadGenerator(11, mix).Generate("same", 2_000, 300, AsOf);
        var other = new WorkloadGenerator(12, mix).Generate("same", 2_000, 300, AsOf);

        Assert.Equal(first.Touchpoints.Select(t => t.Payload), again.Touchpoints.Select(t => t.Payload));
        Assert.NotEqual(first.Touchpoints.Select(t => t.Payload), other.Touchpoints.Select(t => t.Payload));
    }

    [Theory]
    [InlineData("purchase", "--mix: 'purchase' is not name=weight")]
    [InlineData("unspecified=1", "--mix: 'unspecified=1' is not name=weight")]
    [InlineData("purchase=-1", "--mix: 'purchase=-1' is not name=weight")]
    [InlineData("purchase=1,Purchase=2", "--mix: Purchase is given twice")]
    [InlineData("purchase=0", "--mix: at least one weight must be positive")]
    public void AMixThatCannotBeReadIsRefusedNamingTheOption(string text, string message)
    {
        var ex = Assert.Throws<ArgumentException>(() => WorkloadMix.ParseWeights<TouchpointKind>(text, "--mix"));
        Assert.StartsWith(message, ex.Message);
    }

    [Fact]
    public void AChannelMixThatLeavesAKindNowhereToHappenIsRefused()
    {
        var mix = WorkloadMix.Retail with { Channels = WorkloadMix.ParseWeights<Channel>("web=1", "--channel-mix") };

        var ex = Assert.Throws<ArgumentException>(() => new WorkloadGenerator(1, mix));
        Assert.Contains("--channel-mix leaves no channel for Call", ex.Message);
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(5.0)]
    public void ASkewOutOfRangeIsRefused(double skew)
    {
        var ex = Assert.Throws<ArgumentException>(() => (WorkloadMix.Retail with { Skew = skew }).Checked());
        Assert.StartsWith("--skew", ex.Message);
    }
}

using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Customers;
using Customer360.Contracts.Segments;
using Customer360.Domain.Customers;
using Customer360.Domain.Segments;
using Customer360.Domain.Values;
using static Customer360.Cluster.Tests.Infrastructure.Touchpoints;

namespace Customer360.Cluster.Tests.Segments;

[Collection(TierMoveClusterCollection.Name)]
public sealed class TierMoveTests(ClusterFixture fixture)
{
    private static readonly string[] TierSegments = [.. SegmentId.All.Where(s => SegmentId.Split(s).Dimension == SegmentId.TierDimension)];

    [Fact]
    public async Task CustomerClimbingEveryTierIsCountedOnlyInItsCurrentTier()
    {
        var id = TestIds.NewCustomerId("climber");
        var customer = fixture.Customer(id);
        var at = DateTimeOffset.UtcNow.AddDays(-5);
        var climb = new (decimal Amount, ValueTier Tier, decimal Score)[]
        {
            (150m, ValueTier.Bronze, 150m),
            (100m, ValueTier.Silver, 250m),
            (900m, ValueTier.Gold, 1150m),
            (4000m, ValueTier.Platinum, 5150m),
        };

        for (var step = 0; step < climb.Length; step++)
        {
            var (amount, tier, score) = climb[step];
            await customer.RecordTouchpointAsync(Purchase(id, $"p{step}", at.AddHours(step), amount, Channel.Web));
            var view = Assert.IsType<CustomerView>(await customer.GetViewAsync());
            Assert.Equal(tier, view.Value?.Tier);

            // Let every intermediate tier land in the segments, so each step is a real move
            // (a leave and a join) rather than updates coalesced before a flush.
            var tiers = await Eventually.PollAsync(ReadTiersAsync, figures => OnlyIn(figures, SegmentId.ForTier(tier), id, score));
            Assert.True(OnlyIn(tiers, SegmentId.ForTier(tier), id, score), Describe(tiers));
        }

        var channel = await fixture.Segment(SegmentId.ForChannel(Channel.Web)).GetAsync(10);
        Assert.Equal(1, channel.MemberCount);
        Assert.Equal(5150m, channel.TotalNetSpend);
    }

    private async Task<SegmentFigures[]> ReadTiersAsync() =>
        await Task.WhenAll(TierSegments.Select(s => fixture.Segment(s).GetAsync(10)));

    // This cluster holds one customer, so member counts are exact.
    private static bool OnlyIn(SegmentFigures[] tiers, string segmentId, string customerId, decimal score) =>
        tiers.All(f => f.SegmentId == segmentId
            ? f.MemberCount == 1 && f.TotalValueScore == score && f.TopMembers is [{ } m] && m.CustomerId == customerId && m.ValueScore == score
            : f.MemberCount == 0 && f.TotalValueScore == 0m && f.TotalNetSpend == 0m && f.TopMembers.Count == 0);

    private static string Describe(SegmentFigures[] tiers) =>
        string.Join("; ", tiers.Select(f => $"{f.SegmentId}: {f.MemberCount} members, score {f.TotalValueScore}, top [{string.Join(", ", f.TopMembers.Select(m => m.CustomerId))}]"));
}

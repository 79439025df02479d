using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Segments;

namespace Customer360.Cluster.Tests.Segments;

/// <summary>
/// Segment updates come from the buffers of every silo, so one customer's updates can reach a
/// segment out of order: when a customer is reactivated on another silo, updates it made there
/// may overtake ones still buffered on the silo it left. Whatever the order, a segment must end
/// up with the customer's newest membership. These tests feed the batches directly, in the
/// order that race produces, to segments of their own.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class SegmentOrderingTests(ClusterFixture fixture)
{
    private ISegmentGrain NewSegment() => fixture.Segment($"test:{Guid.NewGuid():N}");

    [Fact]
    public async Task JoinArrivingAfterTheLaterLeaveDoesNotMakeAMember()
    {
        var segment = NewSegment();
        const string customer = "mover";

        // Left at version 6 (moved to another segment); the version-5 join was still buffered elsewhere.
        await segment.ApplyAsync([new SegmentUpdate(customer, 6, false, 0m, 0m, WasMember: true)]);
        await segment.ApplyAsync([new SegmentUpdate(customer, 5, true, 1200m, 1200m)]);

        var figures = await segment.GetAsync(10);
        Assert.Equal(0, figures.MemberCount);
        Assert.Equal(0m, figures.TotalNetSpend);
        Assert.Empty(figures.TopMembers);
    }

    [Fact]
    public async Task UpdatesInAnyOrderGiveTheNewestMembership()
    {
        SegmentUpdate[] history =
        [
            new("a", 1, true, 100m, 100m),
            new("a", 2, false, 0m, 0m, WasMember: true),
            new("a", 3, true, 300m, 300m),
            new("b", 1, true, 50m, 50m),
            new("b", 2, true, 80m, 80m),
            new("c", 4, true, 10m, 10m),
            new("c", 5, false, 0m, 0m, WasMember: true),
        ];

        for (var seed = 0; seed < 10; seed++)
        {
            var segment = NewSegment();
            var order = history.ToArray();
            new Random(seed).Shuffle(order);
            foreach (var update in order)
            {
                await segment.ApplyAsync([update]);
            }

            var figures = await segment.GetAsync(10);
            Assert.Equal(2, figures.MemberCount);
            Assert.Equal(380m, figures.TotalNetSpend);
            Assert.Equal(380m, figures.TotalValueScore);
            Assert.Equal([new SegmentMember("a", 300m, 300m), new SegmentMember("b", 80m, 80m)], figures.TopMembers);
        }
    }

    [Fact]
    public async Task RetriedBatchChangesNothing()
    {
        var segment = NewSegment();
        SegmentUpdate[] batch = [new("a", 1, true, 100m, 100m), new("b", 3, true, 200m, 150m)];

        await segment.ApplyAsync(batch);
        var first = await segment.GetAsync(10);
        await segment.ApplyAsync(batch);
        var second = await segment.GetAsync(10);

        Assert.Equal(first.Version, second.Version);
        Assert.Equal(2, second.MemberCount);
        Assert.Equal(300m, second.TotalNetSpend);
        Assert.Equal(250m, second.TotalValueScore);
    }
}

using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Domain.Customers;
using Customer360.Domain.Segments;
using static Customer360.Cluster.Tests.Infrastructure.Touchpoints;

namespace Customer360.Cluster.Tests.Segments;

[Collection(SharedClusterCollection.Name)]
public sealed class SegmentWatchTests(ClusterFixture fixture)
{
    private const int Top = 100;

    // Far longer than a flush interval, and well inside the client's response timeout.
    private static readonly TimeSpan LongWait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task SegmentWatcherIsToldOfTheChangeOnceCustomerUpdatesAreFlushed()
    {
        var id = TestIds.NewCustomerId("segment-watch");
        var segment = fixture.Segment(SegmentId.ForChannel(Channel.Support));
        var known = await segment.GetAsync(Top);

        var watching = segment.WaitForChangeAsync(known.Version, Top, LongWait);
        await fixture.Customer(id).RecordTouchpointAsync(Purchase(id, "p1", DateTimeOffset.UtcNow.AddHours(-1), 777.77m, Channel.Support));
        var changed = await watching;

        Assert.NotNull(changed);
        Assert.True(changed.Version > known.Version, $"version {changed.Version} after {known.Version}");

        // Other customers share this segment: follow the changes until this customer's arrives.
        var latest = changed;
        var deadline = DateTimeOffset.UtcNow + Eventually.DefaultDeadline;
        while (!latest.TopMembers.Any(m => m.CustomerId == id) && DateTimeOffset.UtcNow < deadline)
        {
            var next = await segment.WaitForChangeAsync(latest.Version, Top, LongWait);
            Assert.NotNull(next);
            Assert.True(next.Version > latest.Version);
            latest = next;
        }

        var member = Assert.Single(latest.TopMembers, m => m.CustomerId == id);
        Assert.Equal(777.77m, member.ValueScore);
        Assert.Equal(777.77m, member.NetSpend);
    }
}

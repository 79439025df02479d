using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Segments;
using Customer360.Grains.Storage;

namespace Customer360.Cluster.Tests.Segments;

/// <summary>
/// A segment writes the members that changed since its last write, not its whole member map.
/// The test cluster's segments live in the in-memory segment store of its service, which
/// counts the member rows each segment's writes carry.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class SegmentPersistenceTests(ClusterFixture fixture)
{
    private const int Members = 2_000;

    private MemorySegmentStore Store => MemorySegmentStore.ForService(fixture.Cluster.Options.ServiceId);

    [Fact]
    public async Task AfterOneMemberChangesAPersistWritesThatMemberAlone()
    {
        var segmentId = $"test:{Guid.NewGuid():N}";
        var segment = fixture.Segment(segmentId);
        foreach (var batch in Enumerable.Range(0, Members).Chunk(500))
        {
            await segment.ApplyAsync([.. batch.Select(i => new SegmentUpdate($"m-{i:D5}", 1, true, i + 0.01m, i))]);
        }

        await segment.PersistAsync();
        Assert.Equal(Members, Store.MemberRowsReceived(segmentId));

        await segment.ApplyAsync([new SegmentUpdate("m-00017", 2, true, 5000.55m, 4000m)]);
        await segment.PersistAsync();
        Assert.Equal(Members + 1, Store.MemberRowsReceived(segmentId));

        // Nothing changed since: nothing is written.
        await segment.PersistAsync();
        Assert.Equal(Members + 1, Store.MemberRowsReceived(segmentId));

        var stored = await Store.ReadSegmentAsync(segmentId);
        Assert.NotNull(stored);
        Assert.Equal(Members, stored.Members.Count);
        var changed = Assert.Single(stored.Members, m => m.CustomerId == "m-00017").Entry;
        Assert.Equal((2L, 5000.55m, 4000m), (changed.CustomerVersion, changed.NetSpend, changed.ValueScore));
        var untouched = Assert.Single(stored.Members, m => m.CustomerId == "m-00018").Entry;
        Assert.Equal((1L, 18.01m, 18m), (untouched.CustomerVersion, untouched.NetSpend, untouched.ValueScore));

        var figures = await segment.GetAsync(1);
        Assert.Equal(figures.Version, stored.Header.Version);
        Assert.Equal(figures.UpdatedAt, stored.Header.UpdatedAt);
    }

    [Fact]
    public async Task ARememberedLeaveIsWrittenToo()
    {
        var segmentId = $"test:{Guid.NewGuid():N}";
        var segment = fixture.Segment(segmentId);
        await segment.ApplyAsync([new SegmentUpdate("joined", 3, true, 10m, 10m)]);
        await segment.PersistAsync();

        // A leave that overtook its join changes no figure, but must survive a reload.
        await segment.ApplyAsync([new SegmentUpdate("mover", 6, false, 0m, 0m, WasMember: true)]);
        await segment.PersistAsync();

        Assert.Equal(2, Store.MemberRowsReceived(segmentId));
        var stored = await Store.ReadSegmentAsync(segmentId);
        var leave = Assert.Single(stored!.Members, m => m.CustomerId == "mover").Entry;
        Assert.False(leave.IsMember);
        Assert.Equal(6, leave.CustomerVersion);
    }
}

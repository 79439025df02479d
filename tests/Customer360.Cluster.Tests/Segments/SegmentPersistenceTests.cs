using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Segments;
using Customer360.Grains.Segments;
using Customer360.Grains.Storage;

namespace Customer360.Cluster.Tests.Segments;

/// <summary>
/// A segment writes the buckets that changed since its last write, not its whole member map.
/// The test cluster's segments live in the in-memory segment store of its service, which
/// counts the buckets and members each segment's writes carry.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class SegmentPersistenceTests(ClusterFixture fixture)
{
    private const int Members = 2_000;

    private MemorySegmentStore Store => MemorySegmentStore.ForService(fixture.Cluster.Options.ServiceId);

    [Fact]
    public async Task AfterOneMemberChangesAPersistWritesItsBucketAlone()
    {
        var segmentId = $"test:{Guid.NewGuid():N}";
        var segment = fixture.Segment(segmentId);
        foreach (var batch in Enumerable.Range(0, Members).Chunk(500))
        {
            await segment.ApplyAsync([.. batch.Select(i => new SegmentUpdate($"m-{i:D5}", 1, true, i + 0.01m, i))]);
        }

        await segment.PersistAsync();
        var (buckets, members) = Store.Received(segmentId);
        Assert.Equal(Members, members);
        var bucketCount = SegmentBuckets.CountFor(Members);
        Assert.Equal(bucketCount, buckets);

        // The one changed member's bucket is written, with the members that share it.
        await segment.ApplyAsync([new SegmentUpdate("m-00017", 2, true, 5000.55m, 4000m)]);
        await segment.PersistAsync();
        var bucketSize = Enumerable.Range(0, Members).Count(i => SegmentBuckets.Of($"m-{i:D5}", bucketCount) == SegmentBuckets.Of("m-00017", bucketCount));
        Assert.Equal((bucketCount + 1L, Members + (long)bucketSize), Store.Received(segmentId));

        // Nothing changed since: nothing is written.
        await segment.PersistAsync();
        Assert.Equal((bucketCount + 1L, Members + (long)bucketSize), Store.Received(segmentId));

        var stored = Store.Peek(segmentId);
        Assert.NotNull(stored);
        Assert.Equal(bucketCount, stored.BucketCount);
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

        var shareABucket = SegmentBuckets.Of("joined", SegmentBuckets.MinCount) == SegmentBuckets.Of("mover", SegmentBuckets.MinCount);
        Assert.Equal(shareABucket ? 3 : 2, Store.Received(segmentId).Members);
        var stored = Store.Peek(segmentId);
        var leave = Assert.Single(stored!.Members, m => m.CustomerId == "mover").Entry;
        Assert.False(leave.IsMember);
        Assert.Equal(6, leave.CustomerVersion);
    }

    [Fact]
    public async Task AGrowingSegmentSpreadsItsMembersOverMoreBuckets()
    {
        var segmentId = $"test:{Guid.NewGuid():N}";
        var segment = fixture.Segment(segmentId);
        await segment.ApplyAsync([.. Enumerable.Range(0, Members).Select(i => new SegmentUpdate($"g-{i:D5}", 1, true, 1m, i))]);
        await segment.PersistAsync();
        Assert.Equal(SegmentBuckets.MinCount, Store.Peek(segmentId)!.BucketCount);

        // Past 128 members a bucket on average, the count doubles and every bucket is written anew.
        var grown = (SegmentBuckets.MinCount * SegmentBuckets.MaxAverageMembers) + 1;
        await segment.ApplyAsync([.. Enumerable.Range(Members, grown - Members).Select(i => new SegmentUpdate($"g-{i:D5}", 1, true, 1m, i))]);
        await segment.PersistAsync();

        var stored = Store.Peek(segmentId)!;
        Assert.Equal(2 * SegmentBuckets.MinCount, stored.BucketCount);
        Assert.Equal(grown, stored.Members.Count);
        Assert.Equal(SegmentBuckets.MinCount + (2L * SegmentBuckets.MinCount), Store.Received(segmentId).Buckets);
        Assert.Equal(grown, (await segment.GetAsync(0)).MemberCount);
    }

    [Fact]
    public async Task ASegmentOpenedByAnotherWriterStopsWritingAndGoesAway()
    {
        var segmentId = $"test:{Guid.NewGuid():N}";
        var segment = fixture.Segment(segmentId);
        await segment.ApplyAsync([new SegmentUpdate("kept", 1, true, 10m, 10m)]);
        await segment.PersistAsync();

        // Another writer takes the segment (as a second activation of it would).
        await Store.OpenSegmentAsync(segmentId);
        await segment.ApplyAsync([new SegmentUpdate("late", 1, true, 99m, 99m)]);
        await Assert.ThrowsAsync<SegmentSupersededException>(() => segment.PersistAsync());
        Assert.DoesNotContain(Store.Peek(segmentId)!.Members, m => m.CustomerId == "late");
        var writes = Store.Received(segmentId);

        // The copy that lost the segment went away; the next call reaches a copy that read the store.
        var figures = await segment.GetAsync(10);
        Assert.Equal(1, figures.MemberCount);
        Assert.Equal("kept", Assert.Single(figures.TopMembers).CustomerId);

        // The copy that went away tried no write on its way out, and the new copy writes.
        Assert.Equal(writes, Store.Received(segmentId));
        await segment.ApplyAsync([new SegmentUpdate("after", 1, true, 5m, 5m)]);
        await segment.PersistAsync();
        Assert.Contains(Store.Peek(segmentId)!.Members, m => m.CustomerId == "after");
    }
}

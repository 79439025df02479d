using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Segments;
using Customer360.Grains.Storage;
using Orleans.TestingHost;

namespace Customer360.Cluster.Tests.Segments;

/// <summary>
/// A segment's version increases with every change, also when the segment comes back in a new
/// activation after the one before was lost (its silo died). A segment writes its figures every
/// <c>SegmentPersistInterval</c>, so a new activation starts from the figures last written,
/// and recovery puts back the changes made since. The versions the lost activation gave out in
/// between must not be given out again: a client that keeps the figures of the highest version
/// it was sent, as the API's "increases with every change" invites, would ignore the new
/// activation's figures until it had counted past them.
/// </summary>
public sealed class SegmentVersionTests : IAsyncLifetime
{
    private TestCluster? _cluster;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.DeployAsync<RarePersists>(silos: 1);

    public Task DisposeAsync() => ClusterFixture.StopAsync(_cluster);

    [Fact]
    public async Task ANewActivationGoesOnAboveEveryVersionTheLostOneGaveOut()
    {
        var cluster = _cluster!;
        var id = $"test:{Guid.NewGuid():N}";
        var segment = cluster.Client.GetGrain<ISegmentGrain>(id);
        await segment.ApplyAsync([new SegmentUpdate("a", 1, true, 10m, 10m)]);
        await segment.PersistAsync();
        await segment.ApplyAsync([new SegmentUpdate("b", 1, true, 20m, 20m)]);
        await segment.ApplyAsync([new SegmentUpdate("c", 1, true, 30m, 30m)]);
        var lastSent = await segment.GetAsync(0);

        // Another activation opens the segment, as one on a surviving silo does after a silo
        // loss; this one can no longer write, and goes away with what it had not written.
        await MemorySegmentStore.ForService(cluster.Options.ServiceId).OpenSegmentAsync(id);
        await Assert.ThrowsAsync<SegmentSupersededException>(segment.PersistAsync);

        // A watch that had been sent the lost activation's last figures is told of the new
        // one's at once: they differ, and they are newer.
        var back = await segment.WaitForChangeAsync(lastSent.Version, 0, TimeSpan.FromSeconds(10));
        Assert.True(back is not null, $"a watch that had been sent version {lastSent.Version} heard nothing of the new activation");
        Assert.Equal(1, back.MemberCount);
        Assert.True(back.Version > lastSent.Version, $"version {back.Version} came back after {lastSent.Version} had been given out");

        // And the new activation's changes go on from there.
        var watching = segment.WaitForChangeAsync(back.Version, 0, TimeSpan.FromSeconds(30));
        await segment.ApplyAsync([new SegmentUpdate("d", 1, true, 40m, 40m)]);
        var changed = await watching;

        Assert.True(changed is not null, $"a watch that had been sent version {back.Version} heard nothing of the next change");
        Assert.True(changed.Version > back.Version, $"version {changed.Version} after {back.Version}");
        Assert.Equal(2, changed.MemberCount);
    }

    private sealed class RarePersists : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.AddCustomer360OnMemory(o => o.SegmentPersistInterval = TimeSpan.FromHours(1));
    }
}

using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Customers;
using Customer360.Grains.Segments;
using Customer360.Grains.Storage;
using Orleans.TestingHost;
using static Customer360.Cluster.Tests.Infrastructure.Touchpoints;

namespace Customer360.Cluster.Tests.Segments;

/// <summary>
/// A silo killed before anyone notices takes its buffered segment updates with it, while the
/// other silos' checkpoints move on. If the whole cluster then stops, the next start must
/// still re-state what the killed silo held: each silo's checkpoint is its own, and a start
/// begins from the lowest.
/// </summary>
public sealed class ClusterRestartRecoveryTests
{
    private const int CustomerCount = 12;

    [Fact]
    public async Task TheNextStartBeginsFromTheCheckpointOfASiloKilledBeforeItWasDeclaredDead()
    {
        var serviceId = "restart-" + Guid.NewGuid().ToString("N");
        var store = MemoryCustomerStore.ForService(serviceId);
        var prefix = "killed-silo-" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, CustomerCount).Select(i => $"{prefix}-{i}").ToArray();

        var first = await DeployAsync(serviceId);
        try
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var id in ids)
            {
                await first.Client.GetGrain<ICustomerGrain>(CustomerKeys.ToGrainKey(id))
                    .RecordTouchpointAsync(Purchase(id, "p1", now.AddMinutes(-5), 25m));
            }

            // The killed silo's checkpoint stays where it was; the other stops cleanly, which
            // records the end of the log as its own.
            await first.KillSiloAsync(first.SecondarySilos[0]);
            await first.StopAllSilosAsync();
        }
        finally
        {
            await first.DisposeAsync();
        }

        var checkpoints = await store.ReadCheckpointsAsync(SegmentRecovery.CheckpointName);
        Assert.Equal(2, checkpoints.Count);
        Assert.Equal(await store.LastPositionAsync(), checkpoints.Values.Max());

        RestateFaults.Arm(prefix, []);
        var second = await DeployAsync(serviceId);
        try
        {
            // Start-up recovery ran before the silos served: every customer was re-stated.
            Assert.Equal(ids, ids.Where(RestateFaults.Restated).ToArray());
        }
        finally
        {
            await ClusterFixture.StopAsync(second);
        }
    }

    [Fact]
    public async Task OnceSettledAStartForgetsTheCheckpointsOfSilosThatAreNotMembers()
    {
        var serviceId = "forget-" + Guid.NewGuid().ToString("N");
        var store = MemoryCustomerStore.ForService(serviceId);
        const string Gone = SegmentRecovery.CheckpointName + "@S127.0.0.1:1:1";
        await store.AdvanceCheckpointAsync(SegmentRecovery.CheckpointName, 0);
        await store.AdvanceCheckpointAsync(Gone, 0);
        await store.AdvanceCheckpointAsync("segmentsX", 0);

        var cluster = await ClusterFixture.DeployAsync<QuickCheckpoints>(silos: 2, serviceId);
        try
        {
            string[] members = [.. cluster.GetActiveSilos().Select(s => SegmentRecovery.CheckpointOf(s.SiloAddress)).Order(StringComparer.Ordinal)];
            var names = await Eventually.PollAsync(
                async () => (await store.ReadCheckpointsAsync("")).Keys.Order(StringComparer.Ordinal).ToArray(),
                n => !n.Contains(Gone) && !n.Contains(SegmentRecovery.CheckpointName));

            // The one of earlier versions and the gone silo's are forgotten; the members' stay,
            // and a checkpoint that only looks like a segment checkpoint is left alone.
            Assert.Equal([.. members.Prepend("segmentsX").Order(StringComparer.Ordinal)], names);
        }
        finally
        {
            await ClusterFixture.StopAsync(cluster);
        }
    }

    private static Task<TestCluster> DeployAsync(string serviceId) => ClusterFixture.DeployAsync<SlowCheckpoints>(silos: 2, serviceId);

    private sealed class SlowCheckpoints : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder
                // Checkpoints trail the log by far more than the test takes, so only a clean
                // stop moves one past the touchpoints. (Segments remember non-members at least that long.)
                .AddCustomer360OnMemory(o => o.SegmentCheckpointLag = TimeSpan.FromMinutes(10))
                .AddIncomingGrainCallFilter<RestateFaults>();
    }

    private sealed class QuickCheckpoints : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.AddCustomer360OnMemory(TestSilos.QuickCheckpoints);
    }
}

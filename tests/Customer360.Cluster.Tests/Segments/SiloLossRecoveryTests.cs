using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using Customer360.Grains.Segments;
using Customer360.Grains.Storage;
using Orleans.Configuration;
using Orleans.TestingHost;
using static Customer360.Cluster.Tests.Infrastructure.Touchpoints;

namespace Customer360.Cluster.Tests.Segments;

/// <summary>
/// When a silo is declared dead, the survivors re-state the customers changed shortly before,
/// to put back the segment changes the lost silo took with it. A pass that fails (a store
/// outage, a call that timed out) must be tried again, or those changes stay missing from the
/// figures until the next silo loss.
/// </summary>
public sealed class SiloLossRecoveryTests : IAsyncLifetime
{
    private const int CustomerCount = 12;

    private TestCluster? _cluster;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.DeployAsync<FastFailureDetection>(silos: 2);

    public Task DisposeAsync() => ClusterFixture.StopAsync(_cluster);

    [Fact]
    public async Task AFailedRecoveryAfterASiloLossIsTriedAgainAndKeepsTheLostSilosCheckpointUntilItSucceeds()
    {
        var cluster = _cluster!;
        var store = MemoryCustomerStore.ForService(cluster.Options.ServiceId);
        var prefix = "lost-silo-" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, CustomerCount).Select(i => $"{prefix}-{i}").ToArray();
        var now = DateTimeOffset.UtcNow;
        foreach (var id in ids)
        {
            await Customer(cluster, id).RecordTouchpointAsync(Purchase(id, "p1", now.AddMinutes(-5), 25m));
        }

        // Three customers time out whenever they are asked to re-state, which fails every pass.
        var failing = new[] { ids[2], ids[5], ids[9] };
        RestateFaults.Arm(prefix, failing);

        var lost = cluster.SecondarySilos[0];
        var lostCheckpoint = SegmentRecovery.CheckpointOf(lost.SiloAddress);
        await cluster.KillSiloAsync(lost);

        // As if it died with changes it had not delivered since its checkpoint, long before:
        // recovery begins from that checkpoint, so every customer is owed a re-statement.
        // (Failure detection takes seconds, so this is in place before anyone reads it.)
        await store.RemoveCheckpointAsync(lostCheckpoint, 0);
        await store.AdvanceCheckpointAsync(lostCheckpoint, 0);

        // Three passes: the first and two more after their pauses. A pass stops at its first
        // failure, so each asks at least one of the failing customers, not necessarily all.
        var asked = await Eventually.PollAsync(() => Task.FromResult(failing.Sum(RestateFaults.Calls)), calls => calls >= 3);
        Assert.True(asked >= 3, $"the failing customers were asked {asked} time(s) in all");

        // Meanwhile the lost silo's checkpoint stays recorded, so that a restart would still
        // begin from it, and the touchpoints recorded since do not move that start on.
        var held = await StartAsync(store);
        Assert.Contains(lostCheckpoint, (await store.ReadCheckpointsAsync(SegmentRecovery.CheckpointName)).Keys);
        await Customer(cluster, ids[0]).RecordTouchpointAsync(Purchase(ids[0], "p2", now, 10m));
        var logEnd = await store.LastPositionAsync();
        var askedLater = await Eventually.PollAsync(() => Task.FromResult(failing.Sum(RestateFaults.Calls)), calls => calls > asked);
        Assert.True(askedLater > asked, "no pass was tried after the touchpoint");
        Assert.Equal(held, await StartAsync(store));

        RestateFaults.Heal(prefix);

        var restated = await Eventually.PollAsync(
            () => Task.FromResult(ids.Where(RestateFaults.Restated).ToArray()),
            r => r.Length == CustomerCount);
        Assert.Equal(ids, restated);

        // Once recovered, the lost silo's checkpoint is forgotten and the start moves on.
        var advanced = await Eventually.PollAsync(() => StartAsync(store), start => start >= logEnd);
        Assert.True(advanced >= logEnd, $"a restart would begin at {advanced}, the log is at {logEnd}");
        Assert.DoesNotContain(lostCheckpoint, (await store.ReadCheckpointsAsync(SegmentRecovery.CheckpointName)).Keys);
    }

    [Fact]
    public async Task ASiloStoppedCleanlyCostsTheSurvivorsNoReStatements()
    {
        var cluster = _cluster!;
        var store = MemoryCustomerStore.ForService(cluster.Options.ServiceId);
        var prefix = "stopped-silo-" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, CustomerCount).Select(i => $"{prefix}-{i}").ToArray();
        foreach (var id in ids)
        {
            await Customer(cluster, id).RecordTouchpointAsync(Purchase(id, "p1", DateTimeOffset.UtcNow.AddMinutes(-5), 25m));
        }

        // Once every silo's checkpoint has passed the touchpoints, none of them is owed a
        // re-statement by anyone.
        var logEnd = await store.LastPositionAsync();
        Assert.True(await Eventually.PollAsync(() => StartAsync(store), start => start >= logEnd) >= logEnd);

        RestateFaults.Arm(prefix, []);
        var stopped = cluster.SecondarySilos[0];
        var stoppedCheckpoint = SegmentRecovery.CheckpointOf(stopped.SiloAddress);
        await cluster.StopSiloAsync(stopped);

        // The survivor saw it leave (declared dead) and forgot its checkpoint, which recorded
        // the end of the log: it re-stated only what changed after its own checkpoint.
        var names = await Eventually.PollAsync(
            async () => (await store.ReadCheckpointsAsync(SegmentRecovery.CheckpointName)).Keys.ToArray(),
            n => !n.Contains(stoppedCheckpoint));
        Assert.DoesNotContain(stoppedCheckpoint, names);
        Assert.All(ids, id => Assert.Equal(0, RestateFaults.Calls(id)));
    }

    private static async Task<long> StartAsync(MemoryCustomerStore store) =>
        SegmentRecovery.StartOf(await store.ReadCheckpointsAsync(SegmentRecovery.CheckpointName));

    private static ICustomerGrain Customer(TestCluster cluster, string id) =>
        cluster.Client.GetGrain<ICustomerGrain>(CustomerKeys.ToGrainKey(id));

    private sealed class FastFailureDetection : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder
                .AddCustomer360OnMemory(TestSilos.QuickCheckpoints)
                .AddIncomingGrainCallFilter<RestateFaults>()
                .Configure<ClusterMembershipOptions>(o =>
                {
                    o.ProbeTimeout = TimeSpan.FromSeconds(1);
                    o.NumMissedProbesLimit = 3;
                    o.NumVotesForDeathDeclaration = 1;
                    o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                });
    }
}

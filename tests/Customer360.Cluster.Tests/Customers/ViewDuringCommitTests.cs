using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using Customer360.Grains.Storage;
using Orleans.TestingHost;
using static Customer360.Cluster.Tests.Infrastructure.Touchpoints;

namespace Customer360.Cluster.Tests.Customers;

/// <summary>
/// An agent's read of a customer (its view, a page of its history) does not queue behind the
/// customer's changes that are still waiting for their commit (a busy account whose tills keep it
/// writing, a database slow for a moment): it is answered at once with what is committed, and
/// every acknowledged change is in it. The store in this cluster holds the commit of each event id
/// starting with "held" until the test lets it go.
/// </summary>
public sealed class ViewDuringCommitTests : IAsyncLifetime
{
    private TestCluster? _cluster;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.DeployAsync<SiloConfigurator>(silos: 1);

    public Task DisposeAsync() => ClusterFixture.StopAsync(_cluster);

    [Fact]
    public async Task AViewAndAPageOfHistoryAreAnsweredWhileAChangeAwaitsItsCommitAndShowItOnceAcknowledged()
    {
        var id = TestIds.NewCustomerId("view-during-commit");
        var customer = _cluster!.Client.GetGrain<ICustomerGrain>(CustomerKeys.ToGrainKey(id));
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(TouchpointStatus.Accepted, (await customer.RecordTouchpointAsync(Purchase(id, "first", now.AddHours(-2), 10m))).Status);

        // A sale whose commit is held, and a second one queued behind it.
        var gate = HeldCommits.For(id);
        var held = customer.RecordTouchpointAsync(Purchase(id, "held-1", now.AddHours(-1), 25m));
        await gate.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = customer.RecordTouchpointAsync(Purchase(id, "queued", now.AddMinutes(-30), 5m));

        // Read while both wait: only what is committed, both views. (Should a read wait for the
        // commit after all, it fails here; the gate is let go either way, so the cluster stops.)
        CustomerView? whole, light;
        TouchpointPage? history;
        try
        {
            whole = await customer.GetViewAsync().WaitAsync(TimeSpan.FromSeconds(30));
            light = await customer.GetViewAsync(0).WaitAsync(TimeSpan.FromSeconds(30));
            history = await customer.ListTouchpointsAsync(new TouchpointQuery(10, null, [], [], null, null)).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Null(await customer.ErasedAtAsync().WaitAsync(TimeSpan.FromSeconds(30)));
        }
        catch (TimeoutException)
        {
            gate.Release();
            throw;
        }

        Assert.False(held.IsCompleted);
        Assert.Equal((1L, 10m), (whole!.Version, whole.Aggregates.NetSpend));
        Assert.Equal(["first"], whole.RecentTouchpoints.Select(t => t.EventId));
        Assert.Equal((1L, 10m), (light!.Version, light.Aggregates.NetSpend));
        Assert.Empty(light.RecentTouchpoints);
        Assert.Equal(["first"], history!.Touchpoints.Select(t => t.EventId));

        // Committed and acknowledged: every later read shows both.
        gate.Release();
        Assert.Equal(new TouchpointResult("held-1", TouchpointStatus.Accepted, 2), await held);
        Assert.Equal(new TouchpointResult("queued", TouchpointStatus.Accepted, 3), await queued);
        var after = Assert.IsType<CustomerView>(await customer.GetViewAsync());
        Assert.Equal((3L, 40m), (after.Version, after.Aggregates.NetSpend));
        Assert.Equal(["first", "held-1", "queued"], after.RecentTouchpoints.Select(t => t.EventId).Order());
        var historyAfter = await customer.ListTouchpointsAsync(new TouchpointQuery(10, null, [], [], null, null));
        Assert.Equal(["queued", "held-1", "first"], historyAfter!.Touchpoints.Select(t => t.EventId));
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddCustomer360OnMemory();
            WrappedMemoryStore.Register(siloBuilder, inner => new HeldCommits(inner));
        }
    }

    /// <summary>The memory store, holding the commit of each "held" event id until its customer's gate is released.</summary>
    private sealed class HeldCommits(MemoryCustomerStore inner) : PassThroughCustomerStore(inner)
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Gate> Gates = new(StringComparer.Ordinal);

        public static Gate For(string customerId) => Gates.GetOrAdd(customerId, _ => new Gate());

        public override async Task<bool> AppendAsync(CustomerLogEntry entry)
        {
            if (entry.Touchpoint?.EventId is { } eventId && eventId.StartsWith("held", StringComparison.Ordinal))
            {
                var gate = For(entry.CustomerId);
                gate.Reached.TrySetResult();
                await gate.Released.Task;
            }

            return await Inner.AppendAsync(entry);
        }
    }

    private sealed class Gate
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => Released.TrySetResult();
    }
}

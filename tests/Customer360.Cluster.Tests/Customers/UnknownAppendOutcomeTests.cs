using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using Customer360.Grains.Storage;
using Orleans.TestingHost;
using static Customer360.Cluster.Tests.Infrastructure.Touchpoints;

namespace Customer360.Cluster.Tests.Customers;

/// <summary>
/// An append whose outcome is unknown (the database committed it, but the answer never came
/// back) fails the call, and the customer is reloaded from the log, so that the retry is answered
/// from what was really stored and the customer shows it exactly once. The store in this cluster
/// commits the first append of an event id starting with "answer-lost" and then reports a failure,
/// as a connection lost during the commit's reply would.
/// </summary>
public sealed class UnknownAppendOutcomeTests : IAsyncLifetime
{
    private TestCluster? _cluster;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.DeployAsync<SiloConfigurator>(silos: 1);

    public Task DisposeAsync() => ClusterFixture.StopAsync(_cluster);

    [Fact]
    public async Task TheRetryIsADuplicateAndTheCustomerShowsTheTouchpointOnce()
    {
        var id = TestIds.NewCustomerId("answer-lost");
        var customer = _cluster!.Client.GetGrain<ICustomerGrain>(CustomerKeys.ToGrainKey(id));
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(TouchpointStatus.Accepted, (await customer.RecordTouchpointAsync(Purchase(id, "first", now.AddHours(-2), 10m))).Status);

        var purchase = Purchase(id, "answer-lost-1", now.AddHours(-1), 25m);
        await Assert.ThrowsAsync<CustomerStoreUnavailableException>(() => customer.RecordTouchpointAsync(purchase));

        // The till retries. The activation that lost the answer is gone: the customer comes
        // back from the log, which holds the touchpoint.
        var retry = await customer.RecordTouchpointAsync(purchase);
        Assert.Equal(TouchpointStatus.Duplicate, retry.Status);

        var view = Assert.IsType<CustomerView>(await customer.GetViewAsync());
        Assert.Equal(2, view.Version);
        Assert.Equal(35m, view.Aggregates.NetSpend);
        Assert.Single(view.RecentTouchpoints, t => t.EventId == "answer-lost-1");

        // And the customer goes on from there.
        var next = await customer.RecordTouchpointAsync(Purchase(id, "after", now, 5m));
        Assert.Equal(new TouchpointResult("after", TouchpointStatus.Accepted, 3), next);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddCustomer360OnMemory();
            WrappedMemoryStore.Register(siloBuilder, inner => new AnswerLostStore(inner));
        }
    }

    /// <summary>The memory store, losing the answer to the first append of each "answer-lost" event id after storing it.</summary>
    private sealed class AnswerLostStore(MemoryCustomerStore inner) : PassThroughCustomerStore(inner)
    {
        private readonly HashSet<string> _lost = new(StringComparer.Ordinal);

        public override async Task<bool> AppendAsync(CustomerLogEntry entry)
        {
            var stored = await Inner.AppendAsync(entry);
            if (stored && entry.Touchpoint?.EventId is { } eventId && eventId.StartsWith("answer-lost", StringComparison.Ordinal))
            {
                lock (_lost)
                {
                    if (_lost.Add(entry.CustomerId + "/" + eventId))
                    {
                        throw new CustomerStoreUnavailableException("The answer to the commit was lost; the change may be stored. Retry.");
                    }
                }
            }

            return stored;
        }
    }
}

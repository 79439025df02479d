using System.Collections.Concurrent;
using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using Customer360.Grains.Customers;
using Customer360.Grains.Storage;
using Orleans.TestingHost;
using static Customer360.Cluster.Tests.Infrastructure.Touchpoints;

namespace Customer360.Cluster.Tests.Customers;

/// <summary>
/// A customer whose activation could not read the store holds nothing and reads again on its
/// next call. Watches and views interleave with every other call, so a read of their own
/// beside another call's would undo what that call applied: watches never read again
/// themselves, and views await the read under way.
/// The store here fails or slows the reads of one customer at a time, as each test asks.
/// </summary>
public sealed class UnreadableCustomerTests : IAsyncLifetime
{
    private TestCluster? _cluster;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.DeployAsync<SiloConfigurator>(silos: 1);

    public Task DisposeAsync() => ClusterFixture.StopAsync(_cluster);

    [Fact]
    public async Task AnUnreadableCustomerAnswersUnavailableAndIsServedOnceTheStoreIsBack()
    {
        var id = await CustomerWithTwoPurchasesAsync("unreadable-back");
        await MakeUnreadableAsync(id);

        ReadFaults.Down[id] = true;
        await Assert.ThrowsAsync<CustomerStoreUnavailableException>(() => Customer(id).RecordTouchpointAsync(Purchase(id, "p3", DateTimeOffset.UtcNow, 1m)));
        ReadFaults.Down.TryRemove(id, out _);

        var view = await Customer(id).GetViewAsync();
        Assert.Equal(2, view?.Version);
        Assert.Equal(15m, view?.Aggregates.NetSpend);
        Assert.Equal(TouchpointStatus.Accepted, (await Customer(id).RecordTouchpointAsync(Purchase(id, "p3", DateTimeOffset.UtcNow, 1m))).Status);
    }

    [Fact]
    public async Task AWatchDuringAnotherCallsReadDoesNotUndoAnAcknowledgedTouchpoint()
    {
        var id = await CustomerWithTwoPurchasesAsync("unreadable-watch");
        await MakeUnreadableAsync(id);

        // The touchpoint's read of the store is slow; a watch arrives while it is under way.
        ReadFaults.Delays[id] = new ConcurrentQueue<TimeSpan>([TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(300)]);
        var record = Customer(id).RecordTouchpointAsync(Purchase(id, "p3", DateTimeOffset.UtcNow, 1m));
        await Task.Delay(50);
        var watch = Customer(id).WaitForChangeAsync(0, long.MaxValue, TimeSpan.FromSeconds(5));

        Assert.Equal(new TouchpointResult("p3", TouchpointStatus.Accepted, 3), await record);
        try
        {
            // Either told to come back, or shown a view that includes the touchpoint.
            Assert.Equal(3, (await watch)?.Version);
        }
        catch (CustomerStoreUnavailableException)
        {
        }

        var view = await Customer(id).GetViewAsync();
        Assert.Equal(3, view?.Version);
        Assert.Equal(16m, view?.Aggregates.NetSpend);
    }

    [Fact]
    public async Task AViewDuringAnotherCallsReadAwaitsThatReadInsteadOfReadingBesideIt()
    {
        var id = await CustomerWithTwoPurchasesAsync("unreadable-view");
        await MakeUnreadableAsync(id);
        var readsBefore = ReadFaults.Reads.GetValueOrDefault(id);

        // The touchpoint's read of the store is slow; a view, which interleaves with it, arrives
        // while it is under way. A read of the view's own would put the customer back as stored
        // before the touchpoint, under it.
        ReadFaults.Delays[id] = new ConcurrentQueue<TimeSpan>([TimeSpan.FromMilliseconds(300)]);
        var record = Customer(id).RecordTouchpointAsync(Purchase(id, "p3", DateTimeOffset.UtcNow, 1m));
        await Task.Delay(50);
        var during = await Customer(id).GetViewAsync();

        Assert.Equal(new TouchpointResult("p3", TouchpointStatus.Accepted, 3), await record);
        Assert.InRange(during!.Version, 2, 3);
        Assert.Equal(1, ReadFaults.Reads.GetValueOrDefault(id) - readsBefore);
        var view = await Customer(id).GetViewAsync();
        Assert.Equal((3L, 16m), (view!.Version, view.Aggregates.NetSpend));
    }

    [Fact]
    public async Task ACustomerReadAfterAFailedActivationIsReleasedWhenItGoes()
    {
        var id = await CustomerWithTwoPurchasesAsync("unreadable-held");
        await MakeUnreadableAsync(id);
        ReadFaults.Delays[id] = new ConcurrentQueue<TimeSpan>([TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(300)]);
        var view = Customer(id).GetViewAsync();
        await Task.Delay(50);
        var watch = Customer(id).WaitForChangeAsync(0, long.MaxValue, TimeSpan.FromSeconds(5));
        Assert.Equal(2, (await view)?.Version);
        try
        {
            Assert.Equal(2, (await watch)?.Version);
        }
        catch (CustomerStoreUnavailableException)
        {
        }

        // The re-scoring sweep asks the silos which customers they hold; once this one is
        // collected, it must not be listed any more.
        await _cluster!.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var silo = _cluster.Silos[0].SiloAddress.ToParsableString();
        var held = await Eventually.PollAsync(
            () => _cluster.Client.GetGrain<IActiveCustomersGrain>(silo).ActiveAmongAsync([id], 0),
            h => h.Length == 0);
        Assert.Empty(held);
    }

    [Fact]
    public async Task ACustomerOnlyWatchedIsServedOnceTheStoreIsBack()
    {
        // A screen that only watches (c360 watch, a dashboard) wakes the customer while the
        // store is down, then retries UNAVAILABLE as it is told.
        var id = await CustomerWithTwoPurchasesAsync("unreadable-watched");
        await MakeUnreadableAsync(id);
        ReadFaults.Down[id] = true;
        await Assert.ThrowsAsync<CustomerStoreUnavailableException>(() => Customer(id).WaitForChangeAsync(0, long.MaxValue, TimeSpan.FromSeconds(1)));
        ReadFaults.Down.TryRemove(id, out _);

        var view = await Eventually.PollAsync(
            async () =>
            {
                try
                {
                    return await Customer(id).WaitForChangeAsync(0, long.MaxValue, TimeSpan.FromSeconds(1));
                }
                catch (CustomerStoreUnavailableException)
                {
                    return null;
                }
            },
            seen => seen is not null);

        Assert.Equal(2, view?.Version);
        Assert.Equal(15m, view?.Aggregates.NetSpend);
    }

    private ICustomerGrain Customer(string id) => _cluster!.Client.GetGrain<ICustomerGrain>(CustomerKeys.ToGrainKey(id));

    private async Task<string> CustomerWithTwoPurchasesAsync(string prefix)
    {
        var id = TestIds.NewCustomerId(prefix);
        var now = DateTimeOffset.UtcNow;
        await Customer(id).RecordTouchpointAsync(Purchase(id, "p1", now.AddHours(-2), 10m));
        await Customer(id).RecordTouchpointAsync(Purchase(id, "p2", now.AddHours(-1), 5m));
        return id;
    }

    /// <summary>Lets the customer go, then wakes it while its reads fail: the activation holds nothing.</summary>
    private async Task MakeUnreadableAsync(string id)
    {
        await _cluster!.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        ReadFaults.Down[id] = true;
        await Eventually.PollAsync(
            async () =>
            {
                try
                {
                    await Customer(id).GetViewAsync();
                    return false;
                }
                catch (CustomerStoreUnavailableException)
                {
                    return true;
                }
            },
            unreadable => unreadable);
        ReadFaults.Down.TryRemove(id, out _);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddCustomer360OnMemory();
            WrappedMemoryStore.Register(siloBuilder, inner => new ReadFaults(inner));
        }
    }

    /// <summary>The memory store, whose reads of a customer fail while it is <see cref="Down"/>, and answer late by its queued <see cref="Delays"/>.</summary>
    private sealed class ReadFaults(MemoryCustomerStore inner) : PassThroughCustomerStore(inner)
    {
        public static readonly ConcurrentDictionary<string, bool> Down = new(StringComparer.Ordinal);

        public static readonly ConcurrentDictionary<string, ConcurrentQueue<TimeSpan>> Delays = new(StringComparer.Ordinal);

        /// <summary>Reads of each customer, failed ones included.</summary>
        public static readonly ConcurrentDictionary<string, int> Reads = new(StringComparer.Ordinal);

        public override async Task<StoredCustomer> ReadCustomerAsync(string customerId)
        {
            Reads.AddOrUpdate(customerId, 1, (_, reads) => reads + 1);
            if (Down.ContainsKey(customerId))
            {
                throw new CustomerStoreUnavailableException("The customer store could not be read; nothing was changed. Retry.");
            }

            var stored = await Inner.ReadCustomerAsync(customerId);
            if (Delays.TryGetValue(customerId, out var delays) && delays.TryDequeue(out var delay))
            {
                await Task.Delay(delay);
            }

            return stored;
        }
    }
}

using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Customers;
using Customer360.Contracts.Segments;
using Customer360.Domain.Customers;
using Customer360.Domain.Segments;
using Customer360.Domain.Values;
using Customer360.Grains.Storage;
using static Customer360.Cluster.Tests.Infrastructure.Touchpoints;

namespace Customer360.Cluster.Tests.Customers;

/// <summary>
/// Erasing a customer grain while touchpoints for it keep coming, and segment updates of its
/// erased history arrive late: nothing of the erased history is left or comes back.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class EraseCustomerTests(ClusterFixture fixture)
{
    [Fact]
    public async Task TouchpointsSentAlongsideAnErasureAreEitherErasedOrRefused()
    {
        var id = TestIds.NewCustomerId("erase-race");
        var customer = fixture.Customer(id);
        var past = DateTimeOffset.UtcNow.AddHours(-1);
        await customer.RecordTouchpointAsync(Purchase(id, "first", past, 10m, Channel.PointOfSale));

        // Touchpoints of the past, sent all at once with the erasure among them: each is applied
        // before the erasure (and erased with the rest) or refused after it.
        var touchpoints = Enumerable.Range(0, 40)
            .Select(i => customer.RecordTouchpointAsync(Purchase(id, $"order-{i}", past.AddSeconds(i), 1m + i, Channel.PointOfSale)))
            .ToList();
        var erasure = customer.EraseAsync();
        touchpoints.AddRange(Enumerable.Range(40, 40)
            .Select(i => customer.RecordTouchpointAsync(Purchase(id, $"order-{i}", past.AddSeconds(i), 1m + i, Channel.PointOfSale))));
        var results = await Task.WhenAll(touchpoints);
        var erased = Assert.IsType<CustomerErasureResult>(await erasure);

        Assert.All(results, r => Assert.True(r.Status is TouchpointStatus.Accepted or TouchpointStatus.Erased, $"{r.EventId}: {r.Status}"));
        Assert.Equal(1 + results.Count(r => r.Status == TouchpointStatus.Accepted), erased.EntriesRemoved);
        Assert.Null(await customer.GetViewAsync());
        Assert.Equal(erased.ErasedAt, await customer.ErasedAtAsync());
        var log = MemoryCustomerStore.ForService(fixture.Cluster.Options.ServiceId);
        Assert.Empty(await log.ReadEntriesAsync(id, 0));
        Assert.Null(await log.ReadSnapshotAsync(id));

        // A later touchpoint starts a new history, which is no longer "erased".
        await customer.RecordTouchpointAsync(Purchase(id, "after", erased.ErasedAt.AddSeconds(1), 3m, Channel.PointOfSale));
        Assert.Null(await customer.ErasedAtAsync());
        Assert.Null(await fixture.Customer(TestIds.NewCustomerId("erase-never")).ErasedAtAsync());
    }

    [Fact]
    public async Task AnActivationThatHadNotHeardOfAnErasureReloadsInsteadOfAcknowledgingIntoTheErasedHistory()
    {
        var id = TestIds.NewCustomerId("erase-elsewhere");
        var customer = fixture.Customer(id);
        var past = DateTimeOffset.UtcNow.AddHours(-1);
        await customer.RecordTouchpointAsync(Purchase(id, "p1", past, 10m, Channel.PointOfSale));
        await customer.RecordTouchpointAsync(Purchase(id, "p2", past.AddMinutes(1), 20m, Channel.PointOfSale));

        // Erased through another activation of the customer (possible for a moment while a
        // cluster reconfigures), behind this one's back: it still holds versions 1 and 2.
        var log = MemoryCustomerStore.ForService(fixture.Cluster.Options.ServiceId);
        var erasure = Assert.IsType<CustomerErasure>(await log.EraseCustomerAsync(id, DateTimeOffset.UtcNow));
        Assert.Equal(3, erasure.Tombstone.Version);

        // A sale after the erasure reaches the activation left behind. It may not be acknowledged
        // as version 3 of the erased history, which the next activation would skip: it is
        // refused for a retry, and nothing is stored.
        var sale = Purchase(id, "after", erasure.Tombstone.ErasedAt.AddSeconds(1), 30m, Channel.Web);
        await Assert.ThrowsAsync<CustomerStoreUnavailableException>(() => customer.RecordTouchpointAsync(sale));
        Assert.Null(await log.FindEventAsync(id, "after"));

        // The retry reaches the customer rebuilt from the store: a new history above the erasure.
        var retried = await customer.RecordTouchpointAsync(sale);
        Assert.Equal((TouchpointStatus.Accepted, 4L), (retried.Status, retried.CustomerVersion));
        var view = Assert.IsType<CustomerView>(await customer.GetViewAsync());
        Assert.Equal((1, 30m), (view.Aggregates.TouchpointCount, view.Aggregates.NetSpend));
        Assert.Equal([4L], (await log.ReadEntriesAsync(id, 0)).Select(e => e.Sequence));
    }

    [Fact]
    public async Task AJoinOfTheErasedHistoryArrivingLateCannotBringTheCustomerBack()
    {
        var id = TestIds.NewCustomerId("erase-late-join");
        var customer = fixture.Customer(id);
        await customer.RecordTouchpointAsync(Purchase(id, "p1", DateTimeOffset.UtcNow.AddDays(-1), 120m, Channel.PointOfSale));
        var view = Assert.IsType<CustomerView>(await customer.GetViewAsync());
        Assert.Equal([SegmentId.ForTier(ValueTier.Bronze), SegmentId.ForChannel(Channel.PointOfSale)], view.Segments);
        await customer.EraseAsync();

        // A join of version 1 still buffered on another silo, arriving after the erasure, with
        // a score no other customer has, so that it would top its segment if it were taken.
        foreach (var segmentId in view.Segments)
        {
            var segment = fixture.Segment(segmentId);
            await segment.ApplyAsync([new SegmentUpdate(id, 1, true, 1_000_000_000_000m, 1_000_000_000_000m)]);
            var top = await segment.GetAsync(1);
            Assert.DoesNotContain(top.TopMembers, m => m.CustomerId == id);
        }
    }
}

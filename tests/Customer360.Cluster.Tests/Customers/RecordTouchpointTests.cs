using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using Customer360.Domain.Segments;
using Customer360.Domain.Values;
using Customer360.Grains.Storage;
using static Customer360.Cluster.Tests.Infrastructure.Touchpoints;

namespace Customer360.Cluster.Tests.Customers;

[Collection(SharedClusterCollection.Name)]
public sealed class RecordTouchpointTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset Today = DateTimeOffset.UtcNow;

    [Fact]
    public async Task RecordedTouchpointIsVisibleInTheViewImmediately()
    {
        var id = TestIds.NewCustomerId("visible");
        var customer = fixture.Customer(id);
        Assert.Null(await customer.GetViewAsync());

        var first = await customer.RecordTouchpointAsync(Purchase(id, "p1", Today.AddDays(-3), 120.50m, Channel.PointOfSale));

        Assert.Equal(new TouchpointResult("p1", TouchpointStatus.Accepted, 1), first);
        var view = Assert.IsType<CustomerView>(await customer.GetViewAsync());
        Assert.Equal(id, view.CustomerId);
        Assert.Equal(1, view.Version);
        Assert.Equal(1, view.Aggregates.TouchpointCount);
        Assert.Equal(120.50m, view.Aggregates.NetSpend);
        Assert.Equal(1, view.Aggregates.OrderCount);
        Assert.Equal(Channel.PointOfSale, view.Aggregates.PreferredChannel);
        Assert.Equal(ReportingCurrency, view.Aggregates.ReportingCurrency);
        Assert.Equal(120.50m, view.Value?.Score);
        Assert.Equal(["p1"], view.RecentTouchpoints.Select(t => t.EventId));
        Assert.Equal([SegmentId.ForTier(ValueTier.Bronze), SegmentId.ForChannel(Channel.PointOfSale)], view.Segments);

        // 100 USD at 0.92 is 92 EUR in the reporting currency.
        var second = await customer.RecordTouchpointAsync(Purchase(id, "p2", Today.AddDays(-1), 100m, Channel.Web, "USD"));

        Assert.Equal(new TouchpointResult("p2", TouchpointStatus.Accepted, 2), second);
        view = Assert.IsType<CustomerView>(await customer.GetViewAsync());
        Assert.Equal(2, view.Version);
        Assert.Equal(212.50m, view.Aggregates.NetSpend);
        Assert.Equal(["p2", "p1"], view.RecentTouchpoints.Select(t => t.EventId));
        Assert.Equal([SegmentId.ForTier(ValueTier.Silver), SegmentId.ForChannel(Channel.Web)], view.Segments);
    }

    [Fact]
    public async Task DuplicateEventIdIsReportedAndChangesNothing()
    {
        var id = TestIds.NewCustomerId("duplicate");
        var customer = fixture.Customer(id);
        var purchase = Purchase(id, "order-1", Today.AddDays(-2), 250m, Channel.Web);
        await customer.RecordTouchpointAsync(purchase);
        await customer.RecordTouchpointAsync(Event(id, "visit-1", Today.AddDays(-1), Channel.MobileApp, TouchpointKind.Visit));
        var before = Assert.IsType<CustomerView>(await customer.GetViewAsync());

        var retry = await customer.RecordTouchpointAsync(purchase);
        // A different payload under a used id is refused as a conflict, and changes nothing either.
        var impostor = await customer.RecordTouchpointAsync(
            Return(id, "order-1", Today, 999m, Channel.CallCentre));

        Assert.Equal(new TouchpointResult("order-1", TouchpointStatus.Duplicate, 2), retry);
        Assert.Equal(TouchpointStatus.Conflict, impostor.Status);
        Assert.Contains("different content", impostor.Reason);
        var after = Assert.IsType<CustomerView>(await customer.GetViewAsync());
        Assert.Equal(2, after.Version);
        Assert.Equal(before.UpdatedAt, after.UpdatedAt);
        AssertSameAggregates(before.Aggregates, after.Aggregates);
        Assert.Equal(before.Value, after.Value);
        Assert.Equal(before.Segments, after.Segments);
        Assert.Equal(before.RecentTouchpoints.Select(t => t.EventId), after.RecentTouchpoints.Select(t => t.EventId));
    }

    [Fact]
    public async Task AggregatesDoNotDependOnArrivalOrder()
    {
        var history = new[]
        {
            Purchase("_", "p1", Today.AddDays(-40), 300m, Channel.PointOfSale),
            Purchase("_", "p2", Today.AddDays(-40).AddHours(2), 45.99m, Channel.Web),
            Purchase("_", "p3", Today.AddDays(-12), 1200m, Channel.Web, "GBP"),
            Return("_", "r1", Today.AddDays(-11), 45.99m, Channel.Web),
            Event("_", "v1", Today.AddDays(-10), Channel.MobileApp, TouchpointKind.Visit),
            Event("_", "v2", Today.AddDays(-9), Channel.MobileApp, TouchpointKind.Visit),
            Event("_", "c1", Today.AddDays(-8), Channel.CallCentre, TouchpointKind.Call),
            Event("_", "e1", Today.AddDays(-5), Channel.Email, TouchpointKind.EmailOpen),
            Event("_", "e2", Today.AddDays(-5), Channel.Email, TouchpointKind.EmailClick),
            Purchase("_", "p4", Today.AddDays(-2), 80m, Channel.MobileApp, "CHF"),
            Event("_", "s1", Today.AddDays(-1), Channel.Support, TouchpointKind.SupportTicketOpened),
            Event("_", "s2", Today.AddDays(-1), Channel.Support, TouchpointKind.SupportTicketResolved),
        };
        var inOrderId = TestIds.NewCustomerId("order-a");
        var reorderedId = TestIds.NewCustomerId("order-b");
        var reordered = history.ToArray();
        new Random(17).Shuffle(reordered);
        Assert.NotEqual(history.Select(t => t.EventId), reordered.Select(t => t.EventId));

        await Task.WhenAll(
            RecordAllAsync(inOrderId, history),
            RecordAllAsync(reorderedId, reordered));

        var a = Assert.IsType<CustomerView>(await fixture.Customer(inOrderId).GetViewAsync());
        var b = Assert.IsType<CustomerView>(await fixture.Customer(reorderedId).GetViewAsync());
        Assert.Equal(history.Length, a.Version);
        Assert.Equal(history.Length, b.Version);
        AssertSameAggregates(a.Aggregates, b.Aggregates);
        Assert.Equal(a.Value?.Score, b.Value?.Score);
        Assert.Equal(a.Value?.Tier, b.Value?.Tier);
        Assert.Equal(a.Segments, b.Segments);
        Assert.Equal(a.RecentTouchpoints.Select(t => t.EventId), b.RecentTouchpoints.Select(t => t.EventId));

        // MobileApp has three touchpoints; Web has three too but was used less recently.
        Assert.Equal(Channel.MobileApp, a.Aggregates.PreferredChannel);
        Assert.Equal(300m + 45.99m + 1404m + 84m - 45.99m, a.Aggregates.NetSpend);
    }

    [Fact]
    public async Task CustomerIdsDifferingOnlyInCaseOrLeadingZerosAreDifferentCustomers()
    {
        // Hexadecimal ids: the shape storage providers are tempted to store as numbers.
        var hex = Guid.NewGuid().ToString("N")[..12];
        string[] ids = [$"abc{hex}", $"ABC{hex.ToUpperInvariant()}", $"00abc{hex}"];

        for (var i = 0; i < ids.Length; i++)
        {
            await fixture.Customer(ids[i]).RecordTouchpointAsync(Purchase(ids[i], "p", Today.AddDays(-1), 10m * (i + 1)));
        }

        for (var i = 0; i < ids.Length; i++)
        {
            var view = Assert.IsType<CustomerView>(await fixture.Customer(ids[i]).GetViewAsync());
            Assert.Equal(ids[i], view.CustomerId);
            Assert.Equal(1, view.Version);
            Assert.Equal(10m * (i + 1), view.Aggregates.NetSpend);
        }
    }

    private async Task RecordAllAsync(string customerId, IEnumerable<Touchpoint> touchpoints)
    {
        var customer = fixture.Customer(customerId);
        foreach (var touchpoint in touchpoints)
        {
            var result = await customer.RecordTouchpointAsync(touchpoint.For(customerId));
            Assert.Equal(TouchpointStatus.Accepted, result.Status);
        }
    }

    private static void AssertSameAggregates(AggregateFigures expected, AggregateFigures actual)
    {
        // Arrays compare by reference in records; compare them by content.
        Assert.Equal(expected.ByChannel, actual.ByChannel);
        Assert.Equal(expected.ByKind, actual.ByKind);
        long[] none = [];
        Assert.Equal(expected with { ByChannel = none, ByKind = none }, actual with { ByChannel = none, ByKind = none });
    }

    [Fact]
    public async Task ARetryOfATouchpointAnotherActivationRecordedIsShownByTheNextRead()
    {
        var id = TestIds.NewCustomerId("retry-elsewhere");
        var customer = fixture.Customer(id);
        Assert.Equal(TouchpointStatus.Accepted, (await customer.RecordTouchpointAsync(Purchase(id, "p1", Today.AddHours(-2), 10m))).Status);

        // Another activation of the customer (possible for a moment while a cluster
        // reconfigures) records p2 as log entry 2 and acknowledges it; the till's retry of p2
        // reaches this activation, which has not applied it.
        var p2 = Purchase(id, "p2", Today.AddHours(-1), 25m);
        var log = MemoryCustomerStore.ForService(fixture.Cluster.Options.ServiceId);
        Assert.True(await log.AppendAsync(CustomerLogEntry.For(p2, 2, DateTimeOffset.UtcNow)));

        // It is told to retry rather than answer DUPLICATE for a touchpoint it does not show;
        // the retry reaches the customer rebuilt from the log.
        await Assert.ThrowsAsync<CustomerStoreUnavailableException>(() => customer.RecordTouchpointAsync(p2));
        Assert.Equal(new TouchpointResult("p2", TouchpointStatus.Duplicate, 2), await customer.RecordTouchpointAsync(p2));

        var view = Assert.IsType<CustomerView>(await customer.GetViewAsync());
        Assert.Equal(2, view.Version);
        Assert.Equal(35m, view.Aggregates.NetSpend);
        Assert.Contains(view.RecentTouchpoints, t => t.EventId == "p2");
    }
}

using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Serialization;
using Customer360.Domain.Customers;
using Customer360.Grains.Customers;
using Customer360.Grains.Storage;

namespace Customer360.Cluster.Tests.Customers;

/// <summary>
/// A customer remembers recent event ids as hashes. These pin down that a hash alone never
/// refuses an event (the exact id is found among the kept touchpoints or in the log first), and
/// that snapshots written when customers remembered the ids themselves still load.
/// </summary>
public sealed class RememberedEventTests
{
    private static readonly DateTimeOffset Day = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AnIdTheWindowRemembersButNeitherTheKeptTouchpointsNorTheLogHoldIsNew()
    {
        // As when another id shares the hash: the window says "seen", nothing else does.
        var customerId = TestIds.NewCustomerId("remembered");
        var touchpoint = Touchpoints.Purchase(customerId, "e1", Day, 10m);
        var fingerprint = TouchpointFingerprint.Of(touchpoint);
        var customer = Restored(customerId, recent: [], applied: [new AppliedEvent("e1", fingerprint)]);
        Assert.Equal(EventCheck.Duplicate, customer.Check("e1", fingerprint));

        var verdict = await RecentEvents.ConfirmAsync(customer, "e1", fingerprint, new MemoryCustomerStore());

        Assert.Equal(EventCheck.NotRecent, verdict);
    }

    [Fact]
    public async Task AnIdAmongTheKeptTouchpointsIsConfirmedWithoutTheLog()
    {
        var customerId = TestIds.NewCustomerId("remembered");
        var touchpoint = Touchpoints.Purchase(customerId, "e1", Day, 10m);
        var fingerprint = TouchpointFingerprint.Of(touchpoint);
        var customer = Restored(customerId, recent: [touchpoint], applied: [new AppliedEvent("e1", fingerprint)]);
        var emptyLog = new MemoryCustomerStore();

        Assert.Equal(EventCheck.Duplicate, await RecentEvents.ConfirmAsync(customer, "e1", fingerprint, emptyLog));
        Assert.Equal(EventCheck.Conflict, await RecentEvents.ConfirmAsync(customer, "e1", fingerprint + 1, emptyLog));
    }

    [Fact]
    public async Task AnIdOnlyTheLogHoldsIsConfirmedByTheLog()
    {
        var customerId = TestIds.NewCustomerId("remembered");
        var touchpoint = Touchpoints.Purchase(customerId, "e1", Day, 10m);
        var entry = CustomerLogEntry.For(touchpoint, 1, Day);
        var store = new MemoryCustomerStore();
        Assert.True(await store.AppendAsync(entry));
        var customer = Restored(customerId, recent: [], applied: [new AppliedEvent("e1", entry.Fingerprint)]);

        Assert.Equal(EventCheck.Duplicate, await RecentEvents.ConfirmAsync(customer, "e1", entry.Fingerprint, store));
        Assert.Equal(EventCheck.Conflict, await RecentEvents.ConfirmAsync(customer, "e1", entry.Fingerprint + 1, store));
    }

    [Fact]
    public void ASnapshotThatKeptEventIdsLoadsWithThemRemembered()
    {
        var customerId = TestIds.NewCustomerId("remembered");
        var kept = Touchpoints.Purchase(customerId, "e2", Day, 10m);
        var older = new CustomerSurrogate
        {
            CustomerId = customerId,
            Version = 2,
            CreatedAt = Day,
            UpdatedAt = Day,
            Profile = CustomerProfile.Empty,
            Aggregates = new CustomerAggregates(),
            Recent = [kept],
            AppliedEventIds = ["e1", "e2"],
            AppliedFingerprints = [11, TouchpointFingerprint.Of(kept)],
        };

        var customer = new CustomerConverter().ConvertFromSurrogate(older);

        Assert.True(customer.HasApplied("e1"));
        Assert.Equal(EventCheck.Duplicate, customer.Check("e1", 11));
        Assert.Equal(EventCheck.Duplicate, customer.Check(kept));
        Assert.False(customer.HasApplied("e3"));
        Assert.Same(customer.CustomerId, customer.RecentTouchpoints[0].CustomerId);
    }

    [Fact]
    public void ASnapshotRoundTripKeepsTheRememberedEventsInArrivalOrder()
    {
        var customerId = TestIds.NewCustomerId("remembered");
        var customer = Restored(customerId, recent: [], applied: [new AppliedEvent("b", 2), new AppliedEvent("a", 1), new AppliedEvent("c", 3)]);
        var converter = new CustomerConverter();

        var stored = converter.ConvertToSurrogate(customer);
        var restored = converter.ConvertFromSurrogate(stored);

        Assert.Empty(stored.AppliedEventIds);
        Assert.Equal(customer.AppliedEvents, restored.AppliedEvents);
        Assert.Equal(EventCheck.Duplicate, restored.Check("a", 1));
    }

    private static Customer Restored(string customerId, Touchpoint[] recent, AppliedEvent[] applied) =>
        new(customerId, applied.Length, Day, Day, CustomerProfile.Empty, new CustomerAggregates(), recent, applied, null);
}

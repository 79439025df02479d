using Customer360.Domain.Customers;
using Customer360.Grains.Storage;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// What the upgrade tests of both stores put in a log keyed by service and customer id as text,
/// as earlier versions wrote it: two services, a profile change among touchpoints, and the
/// expectations every move must meet.
/// </summary>
internal static class TextKeyedLogFixture
{
    public static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>In commit order: service "shop" has customers c1 (three entries) and c2; "bank" has its own c1.</summary>
    public static readonly (string Service, CustomerLogEntry Entry)[] Earlier =
    [
        ("shop", CustomerLogEntry.For(Purchase("c1", "p1", At, 20m), 1, At)),
        ("shop", CustomerLogEntry.For("c1", new ProfilePatch { GivenName = "Ann" }, 2, At.AddMinutes(1))),
        ("shop", CustomerLogEntry.For(Purchase("c1", "p2", At.AddDays(3), 35.5m), 3, At.AddDays(3))),
        ("shop", CustomerLogEntry.For(Purchase("c2", "p1", At.AddDays(1), 7m), 1, At.AddDays(1))),
        ("bank", CustomerLogEntry.For(Purchase("c1", "p1", At, 99m), 1, At)),
    ];

    /// <summary>Shop's purchase days after the move, with the value columns the earliest logs lacked filled from the payloads.</summary>
    public static readonly CustomerDay[] ShopPurchaseDays =
    [
        new("c1", new DailyActivity(DailyActivity.DayOf(At), 20m, 0m, 1)),
        new("c1", new DailyActivity(DailyActivity.DayOf(At.AddDays(3)), 35.5m, 0m, 1)),
        new("c2", new DailyActivity(DailyActivity.DayOf(At.AddDays(1)), 7m, 0m, 1)),
    ];

    /// <summary>
    /// What every move must keep for the shop, on either store: positions carry over, so stored
    /// checkpoints still mean what they meant and new entries come after every old one, and
    /// exactly once still holds for the moved entries. <paramref name="beforeC2"/> is a position
    /// between c1's last entry and c2's.
    /// </summary>
    public static async Task AssertPositionsAndExactlyOnceKeptAsync(ICustomerStore shop, long lastPosition, long beforeC2)
    {
        Assert.Equal(lastPosition, await shop.LastPositionAsync());
        Assert.Equal(["c2"], await shop.CustomersAfterAsync(beforeC2));
        Assert.True(await shop.AppendAsync(CustomerLogEntry.For(Purchase("c2", "p2", At.AddDays(2), 3m), 2, At.AddDays(2))));
        Assert.True(await shop.AppendAsync(CustomerLogEntry.For(Purchase("c3", "p1", At.AddDays(2), 4m), 1, At.AddDays(2))));
        Assert.True(await shop.LastPositionAsync() > lastPosition);
        Assert.Equal(["c2", "c3"], (await shop.CustomersAfterAsync(lastPosition)).Order(StringComparer.Ordinal));
        Assert.False(await shop.AppendAsync(CustomerLogEntry.For(Purchase("c1", "p1", At, 20m), 4, At.AddDays(4))));
    }

    public static Touchpoint Purchase(string customerId, string eventId, DateTimeOffset at, decimal amount) => new()
    {
        EventId = eventId,
        CustomerId = customerId,
        OccurredAt = at,
        Channel = Channel.PointOfSale,
        Kind = TouchpointKind.Purchase,
        Amount = new Money(amount, "EUR"),
        ReportingAmount = amount,
    };
}

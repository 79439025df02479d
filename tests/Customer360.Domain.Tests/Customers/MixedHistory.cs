using Customer360.Domain.Customers;
using Customer360.Domain.Values;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Customers;

/// <summary>
/// One customer's history across every channel: purchases and returns in three currencies,
/// several events on one UTC day (one sent with a +05:00 offset whose local date is the next
/// day), equal event times, an event just inside the 24 h future allowance, figures either side
/// of the 365-day value window, and a tie on touchpoint count between Web and MobileApp that only
/// the latest event time can break. The expected figures below are worked out by hand.
/// </summary>
internal static class MixedHistory
{
    /// <summary>Small enough that the window evicts, and cuts between two events of equal time.</summary>
    public static readonly CustomerRules Rules = new() { RecentWindow = 5 };

    public static IReadOnlyList<Touchpoint> Touchpoints() =>
    [
        Purchase("e01", Utc(2024, 5, 1, 10), 300m, Channel.PointOfSale),
        Purchase("e02", Utc(2024, 6, 16), 100m, Channel.Web),
        Return("e03", Utc(2024, 6, 15, 23, 59, 59), 40m, Channel.Web),
        Purchase("e04", Utc(2025, 3, 10, 9), 200m, Channel.Web, "EUR"),
        Purchase("e05", Utc(2025, 3, 10, 18, 30), 50m, Channel.MobileApp),
        Purchase("e06", new DateTimeOffset(2025, 3, 11, 1, 30, 0, TimeSpan.FromHours(5)), 80m, Channel.PointOfSale, "GBP"),
        Event("e07", Utc(2025, 3, 10, 20, 30), Channel.CallCentre, TouchpointKind.Call),
        Return("e08", Utc(2025, 3, 12, 8), 20m, Channel.Web, "EUR"),
        Event("e09", Utc(2025, 4, 1, 12), Channel.Email, TouchpointKind.EmailOpen),
        Event("e10", Utc(2025, 4, 1, 12), Channel.Email, TouchpointKind.EmailClick),
        Event("e11", Utc(2025, 5, 20, 14), Channel.Support, TouchpointKind.SupportTicketOpened),
        Event("e12", Utc(2025, 5, 21, 9), Channel.Support, TouchpointKind.SupportTicketResolved),
        Event("e13", Utc(2025, 6, 1, 10), Channel.MobileApp, TouchpointKind.Visit),
        Event("e14", Utc(2025, 6, 1, 10), Channel.Web, TouchpointKind.Visit),
        Purchase("e15", Utc(2025, 6, 14, 16), 75.55m, Channel.PointOfSale),
        Purchase("e16", Utc(2025, 6, 15, 11), 19.99m, Channel.MobileApp),
        Event("e17", Utc(2025, 6, 15, 11, 30), Channel.CallCentre, TouchpointKind.Complaint),
        Event("e18", Utc(2025, 6, 16, 6), Channel.MobileApp, TouchpointKind.Visit),
        Event("e19", Utc(2024, 12, 24, 10), Channel.MobileApp, TouchpointKind.Visit),
        Purchase("e20", Utc(2025, 1, 5, 13), 12.345m, Channel.PointOfSale, "EUR"),
        Event("e21", new DateTimeOffset(2025, 2, 2, 2, 0, 0, TimeSpan.FromHours(-8)), Channel.Other, TouchpointKind.Other),
    ];

    public static readonly CustomerSnapshot Expected = new(
        Version: 21,
        CountsByChannel: "Unspecified=0 PointOfSale=4 CallCentre=2 Web=5 MobileApp=5 Email=2 Support=2 Other=1",
        CountsByKind: "Unspecified=0 Purchase=8 Return=2 Call=1 Visit=4 EmailOpen=1 EmailClick=1 "
            + "SupportTicketOpened=1 SupportTicketResolved=1 Complaint=1 Other=1",
        TouchpointCount: 21,
        // 300 + 100 + 220 (200 EUR) + 50 + 100 (80 GBP) + 75.55 + 19.99 + 13.5795 (12.345 EUR)
        GrossPurchases: 879.1195m,
        TotalReturns: 62m,
        NetSpend: 817.1195m,
        OrderCount: 8,
        AverageOrderValue: 109.89m,
        FirstPurchaseAt: Utc(2024, 5, 1, 10),
        LastPurchaseAt: Utc(2025, 6, 15, 11),
        // 2024-05-01, 2024-06-16, 2025-01-05, 2025-03-10 (three purchases), 2025-06-14, 2025-06-15;
        // the two return-only days do not count.
        DistinctPurchaseDays: 6,
        LastContactAt: Utc(2025, 6, 16, 6),
        // Web and MobileApp both have 5; MobileApp was used last (e18), although Web is the lower enum value.
        PreferredChannel: Channel.MobileApp,
        LastEventByChannel: "PointOfSale=2025-06-14T16:00 CallCentre=2025-06-15T11:30 Web=2025-06-01T10:00 "
            + "MobileApp=2025-06-16T06:00 Email=2025-04-01T12:00 Support=2025-05-21T09:00 Other=2025-02-02T10:00",
        Days: "2024-05-01 +300 -0 x1; 2024-06-15 +0 -40 x0; 2024-06-16 +100 -0 x1; 2025-01-05 +13.5795 -0 x1; "
            + "2025-03-10 +370 -0 x3; 2025-03-12 +0 -22 x0; 2025-06-14 +75.55 -0 x1; 2025-06-15 +19.99 -0 x1",
        // e13 and e14 share an event time; the higher id comes first, so e13 is the one evicted.
        RecentEventIds: "e18 e17 e16 e15 e14",
        // Days 2024-06-16 ..= 2025-06-15: purchases 579.1195 minus the 22 return; e01 and e03 fall outside.
        ValueScore: 557.12m,
        ValueTier: ValueTier.Silver);
}

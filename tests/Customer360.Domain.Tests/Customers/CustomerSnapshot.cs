using System.Globalization;
using Customer360.Domain.Customers;
using Customer360.Domain.Values;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Customers;

/// <summary>
/// Every figure a customer derives from its touchpoints, in one comparable value. Collections
/// are rendered as text so that record equality compares their contents and a failing
/// comparison prints both sides in full.
/// </summary>
internal sealed record CustomerSnapshot(
    long Version,
    string CountsByChannel,
    string CountsByKind,
    long TouchpointCount,
    decimal GrossPurchases,
    decimal TotalReturns,
    decimal NetSpend,
    long OrderCount,
    decimal AverageOrderValue,
    DateTimeOffset? FirstPurchaseAt,
    DateTimeOffset? LastPurchaseAt,
    int DistinctPurchaseDays,
    DateTimeOffset? LastContactAt,
    Channel PreferredChannel,
    string LastEventByChannel,
    string Days,
    string RecentEventIds,
    decimal? ValueScore,
    ValueTier? ValueTier)
{
    public static CustomerSnapshot Of(Customer customer)
    {
        var a = customer.Aggregates;
        return new CustomerSnapshot(
            customer.Version,
            string.Join(" ", Enum.GetValues<Channel>().Select(c => $"{c}={a.CountOf(c)}")),
            string.Join(" ", Enum.GetValues<TouchpointKind>().Select(k => $"{k}={a.CountOf(k)}")),
            a.TouchpointCount,
            a.GrossPurchases,
            a.TotalReturns,
            a.NetSpend,
            a.OrderCount,
            a.AverageOrderValue,
            a.FirstPurchaseAt,
            a.LastPurchaseAt,
            a.DistinctPurchaseDays,
            a.LastContactAt,
            a.PreferredChannel,
            LastEvents(a),
            FormatDays(a.Days),
            Ids(customer.RecentTouchpoints),
            customer.Value?.Score,
            customer.Value?.Tier);
    }

    private static string LastEvents(CustomerAggregates a)
    {
        var ticks = a.LastTicksByChannel.ToArray();
        return string.Join(" ", Enum.GetValues<Channel>().Skip(1).Select(c =>
            $"{c}={(ticks[(int)c] == 0 ? "never" : new DateTimeOffset(ticks[(int)c], TimeSpan.Zero).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture))}"));
    }

    /// <summary>One "day +purchases -returns xcount" entry per day, amounts without trailing zeros.</summary>
    public static string FormatDays(IEnumerable<DailyActivity> days) =>
        string.Join("; ", days.Select(d =>
            Invariant($"{DateOnly.FromDayNumber(d.Day):yyyy-MM-dd} +{d.Purchases:G29} -{d.Returns:G29} x{d.PurchaseCount}")));
}

using Customer360.Domain.Customers;
using Customer360.Domain.Segments;
using Customer360.Domain.Values.Models;

namespace Customer360.Domain.Values;

/// <summary>
/// Everything a fitted value model and the segments need to know about one customer, as of
/// <see cref="Version"/>: enough to rescore a customer, and to state its segment memberships,
/// without restoring it. Stored with the customer's snapshot, so the re-scoring sweep can reach
/// customers that are not in memory. Both the live customer and the sweep score and report
/// through <see cref="ValueScorer.Assess(CustomerValueSummary, ValueModel, DateTimeOffset)"/> and
/// <see cref="Contributions"/>, so the two give the same figures by construction.
/// </summary>
/// <param name="Version">The customer's version the summary reflects.</param>
/// <param name="PurchaseDays">Distinct UTC days with a purchase (the purchase occasions).</param>
/// <param name="FirstPurchaseDay">The first occasion's day (<see cref="DailyActivity.DayOf"/>); null before the first purchase.</param>
/// <param name="LastPurchaseDay">The last occasion's day; null before the first purchase.</param>
/// <param name="RepeatOccasionValue">The value of every occasion but the first (<see cref="CustomerAggregates.RepeatOccasionValue"/>).</param>
/// <param name="OccasionValue">The value of all occasions (<see cref="CustomerAggregates.OccasionValue"/>).</param>
/// <param name="NetSpend">Purchases minus returns, in the reporting currency.</param>
/// <param name="PreferredChannel">The channel segment the customer is in.</param>
public sealed record CustomerValueSummary(
    long Version,
    int PurchaseDays,
    int? FirstPurchaseDay,
    int? LastPurchaseDay,
    decimal RepeatOccasionValue,
    decimal OccasionValue,
    decimal NetSpend,
    Channel PreferredChannel)
{
    /// <summary>The summary of <paramref name="aggregates"/> at customer version <paramref name="version"/>.</summary>
    public static CustomerValueSummary Of(CustomerAggregates aggregates, long version) => new(
        version,
        aggregates.DistinctPurchaseDays,
        aggregates.FirstPurchaseAt is { } first ? DailyActivity.DayOf(first) : null,
        aggregates.LastPurchaseAt is { } last ? DailyActivity.DayOf(last) : null,
        aggregates.RepeatOccasionValue,
        aggregates.OccasionValue,
        aggregates.NetSpend,
        aggregates.PreferredChannel);

    /// <summary>Whether the customer has bought at least once: the models describe customers from their first purchase on.</summary>
    public bool HasPurchased => FirstPurchaseDay is not null && LastPurchaseDay is not null && PurchaseDays > 0;

    /// <summary>What the lifetime-value models read as of the UTC day <paramref name="referenceDay"/>; null before the first purchase.</summary>
    public CustomerValueInputs? ValueInputs(int referenceDay) =>
        HasPurchased
            ? CustomerValueInputs.FromOccasions(PurchaseDays, FirstPurchaseDay!.Value, LastPurchaseDay!.Value, RepeatOccasionValue, referenceDay)
            : null;

    /// <summary>
    /// The segment the customer belongs to in each dimension, with what it adds there, when its
    /// value is <paramref name="value"/> (null before its first change: bronze, worth 0).
    /// </summary>
    public IReadOnlyList<SegmentContribution> Contributions(ValueAssessment? value) =>
        Contributions(NetSpend, PreferredChannel, value);

    /// <summary>The contributions of a customer with this net spend, preferred channel and value.</summary>
    public static IReadOnlyList<SegmentContribution> Contributions(decimal netSpend, Channel preferredChannel, ValueAssessment? value)
    {
        var score = value?.Score ?? 0m;
        var tier = value?.Tier ?? ValueTier.Bronze;
        return new SegmentContribution[]
        {
            new(SegmentId.ForTier(tier), netSpend, score),
            new(SegmentId.ForChannel(preferredChannel), netSpend, score),
        };
    }
}

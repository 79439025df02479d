using Customer360.Domain.Customers;
using Customer360.Domain.Values;

namespace Customer360.Contracts.Customers;

/// <summary>The 360 view of a customer as every touchpoint system sees it.</summary>
[GenerateSerializer, Alias("c360.CustomerView"), Immutable]
public sealed record CustomerView(
    [property: Id(0)] string CustomerId,
    [property: Id(1)] long Version,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] DateTimeOffset UpdatedAt,
    [property: Id(4)] CustomerProfile Profile,
    [property: Id(5)] AggregateFigures Aggregates,
    [property: Id(6)] ValueAssessment? Value,
    [property: Id(7)] IReadOnlyList<string> Segments,
    [property: Id(8)] IReadOnlyList<Touchpoint> RecentTouchpoints)
{
    /// <summary>What a lifetime-value model reads about the customer as of the view; null before the first purchase.</summary>
    [Id(9)]
    public ValueModelInputs? ValueInputs { get; init; }
}

/// <summary>
/// A customer's purchase history as the lifetime-value models read it (see
/// <see cref="Domain.Values.Models.PurchaseOccasions"/>): x repeat occasions, t_x and T in weeks,
/// and m̄, the mean value of the repeat occasions in the reporting currency.
/// </summary>
[GenerateSerializer, Alias("c360.ValueModelInputs"), Immutable]
public sealed record ValueModelInputs(
    [property: Id(0)] int RepeatPurchases,
    [property: Id(1)] double WeeksToLastRepeat,
    [property: Id(2)] double WeeksSinceFirstPurchase,
    [property: Id(3)] decimal MeanRepeatValue)
{
    public static ValueModelInputs? Of(CustomerAggregates aggregates, DateTimeOffset asOf)
    {
        if (aggregates.ValueInputs(DailyActivity.DayOf(asOf)) is not { } inputs)
        {
            return null;
        }

        var mean = inputs.X == 0 ? 0m : decimal.Round(aggregates.RepeatOccasionValue / inputs.X, 2, MidpointRounding.ToEven);
        return new ValueModelInputs(inputs.X, inputs.Tx, inputs.T, mean);
    }
}

/// <summary>A customer's live aggregates, in the reporting currency.</summary>
[GenerateSerializer, Alias("c360.AggregateFigures"), Immutable]
public sealed record AggregateFigures(
    [property: Id(0)] long TouchpointCount,
    [property: Id(1)] long[] ByChannel,
    [property: Id(2)] long[] ByKind,
    [property: Id(3)] decimal GrossPurchases,
    [property: Id(4)] decimal TotalReturns,
    [property: Id(5)] decimal NetSpend,
    [property: Id(6)] long OrderCount,
    [property: Id(7)] decimal AverageOrderValue,
    [property: Id(8)] DateTimeOffset? FirstPurchaseAt,
    [property: Id(9)] DateTimeOffset? LastPurchaseAt,
    [property: Id(10)] int DistinctPurchaseDays,
    [property: Id(11)] DateTimeOffset? LastContactAt,
    [property: Id(12)] Channel PreferredChannel,
    [property: Id(13)] string ReportingCurrency)
{
    public static AggregateFigures From(CustomerAggregates a, string reportingCurrency) => new(
        a.TouchpointCount,
        a.ByChannel.ToArray(),
        a.ByKind.ToArray(),
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
        reportingCurrency);
}

/// <summary>
/// The new view, or the field and reason a profile patch was refused for; nothing is applied then.
/// <see cref="Changed"/> is false when the patch left the profile as it was, and the view is the
/// customer as it already stood.
/// </summary>
[GenerateSerializer, Alias("c360.UpsertProfileResult"), Immutable]
public sealed record UpsertProfileResult(
    [property: Id(0)] CustomerView? View,
    [property: Id(1)] string? RejectedField,
    [property: Id(2)] string? RejectedReason,
    [property: Id(3)] bool Changed = false);

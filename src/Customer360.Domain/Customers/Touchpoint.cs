namespace Customer360.Domain.Customers;

/// <summary>An amount in a currency. Amounts are exact decimals.</summary>
public sealed record Money(decimal Amount, string Currency);

/// <summary>One line of a purchase or return.</summary>
public sealed record LineItem(string Sku, string Category, int Quantity, Money? UnitPrice);

/// <summary>
/// Something that happened between the customer and the business. <see cref="EventId"/> is chosen
/// by the sending system and is the idempotency key within the customer.
/// </summary>
public sealed record Touchpoint
{
    public required string EventId { get; init; }

    public required string CustomerId { get; init; }

    /// <summary>Event time (UTC). Aggregates are defined by it, never by arrival order.</summary>
    public required DateTimeOffset OccurredAt { get; init; }

    public required Channel Channel { get; init; }

    public required TouchpointKind Kind { get; init; }

    /// <summary>The amount as sent; present for purchases and returns.</summary>
    public Money? Amount { get; init; }

    /// <summary>
    /// <see cref="Amount"/> converted to the reporting currency when the touchpoint was accepted.
    /// Fixed at ingestion so that replaying history never depends on today's rates.
    /// </summary>
    public decimal? ReportingAmount { get; init; }

    public IReadOnlyList<LineItem> LineItems { get; init; } = [];

    public IReadOnlyDictionary<string, string> Attributes { get; init; } = EmptyAttributes;

    public string SourceSystem { get; init; } = "";

    /// <summary>
    /// The name of the API key the touchpoint was recorded with, set by the server; null when the
    /// server took it without keys. Not part of what the sender said: a retry through another key
    /// is the same event, and the first key stays on record.
    /// </summary>
    public string? RecordedBy { get; init; }

    /// <summary>No attributes, shared: most touchpoints have none.</summary>
    public static readonly IReadOnlyDictionary<string, string> EmptyAttributes =
        new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The order of the touchpoint history: newest event time first, ties broken by event id
    /// (<see cref="CodePointOrder"/>, as the stores sort them) so that the order is total and
    /// the same whatever order touchpoints arrived in.
    /// </summary>
    public static int NewestFirst(Touchpoint a, Touchpoint b)
    {
        var byTime = b.OccurredAt.UtcTicks.CompareTo(a.OccurredAt.UtcTicks);
        return byTime != 0 ? byTime : CodePointOrder.Compare(b.EventId, a.EventId);
    }
}

using Customer360.Domain.Customers;

namespace Customer360.Contracts.Customers;

/// <summary>
/// A page request over a customer's touchpoints, newest first by event time. Filters combine
/// with AND; an empty channel or kind list means any. <see cref="After"/> is the cursor of the
/// last touchpoint of the previous page.
/// </summary>
[GenerateSerializer, Alias("c360.TouchpointQuery"), Immutable]
public sealed record TouchpointQuery(
    [property: Id(0)] int PageSize,
    [property: Id(1)] TouchpointCursor? After,
    [property: Id(2)] IReadOnlyList<Channel> Channels,
    [property: Id(3)] IReadOnlyList<TouchpointKind> Kinds,
    [property: Id(4)] DateTimeOffset? OccurredFrom,
    [property: Id(5)] DateTimeOffset? OccurredTo)
{
    public bool Matches(Touchpoint t) =>
        (Channels.Count == 0 || Channels.Contains(t.Channel))
        && (Kinds.Count == 0 || Kinds.Contains(t.Kind))
        && (OccurredFrom is null || t.OccurredAt >= OccurredFrom)
        && (OccurredTo is null || t.OccurredAt < OccurredTo);
}

/// <summary>
/// A position in the newest-first order: (event time, event id). Keyset positions stay stable
/// when new touchpoints arrive between page reads.
/// </summary>
[GenerateSerializer, Alias("c360.TouchpointCursor"), Immutable]
public sealed record TouchpointCursor(
    [property: Id(0)] long OccurredAtUtcTicks,
    [property: Id(1)] string EventId)
{
    public static TouchpointCursor Of(Touchpoint t) => new(t.OccurredAt.UtcTicks, t.EventId);

    /// <summary>True when <paramref name="t"/> comes strictly after this position in newest-first order.</summary>
    public bool IsBefore(Touchpoint t)
    {
        var ticks = t.OccurredAt.UtcTicks;
        return ticks < OccurredAtUtcTicks || (ticks == OccurredAtUtcTicks && CodePointOrder.Compare(t.EventId, EventId) < 0);
    }
}

/// <summary>One page of touchpoints and the cursor to continue from, null on the last page.</summary>
[GenerateSerializer, Alias("c360.TouchpointPage"), Immutable]
public sealed record TouchpointPage(
    [property: Id(0)] IReadOnlyList<Touchpoint> Touchpoints,
    [property: Id(1)] TouchpointCursor? Next);

using Orleans.Concurrency;

namespace Customer360.Contracts.Segments;

/// <summary>
/// One segment, keyed by its id ("tier:gold", "channel:web"). It holds each member's latest
/// contribution and keeps count, totals and the top members by value score. Customers never
/// call it directly: each silo batches their updates and flushes them on a short timer.
/// </summary>
[Alias("c360.ISegmentGrain")]
public interface ISegmentGrain : IGrainWithStringKey
{
    /// <summary>
    /// Applies a batch of member updates. For each customer only an update with a higher
    /// <see cref="SegmentUpdate.Order"/> than the one held changes anything, so batches may be retried or
    /// arrive out of order. A customer that is not a member is held for a while (the
    /// <c>SegmentLateUpdateWindow</c> setting) after it left or was stated not to be one, long
    /// enough for any older update of it to have arrived. The sender never changes a batch once
    /// sent, so it is not copied.
    /// </summary>
    [Alias("Apply")]
    Task ApplyAsync([Immutable] IReadOnlyList<SegmentUpdate> updates);

    /// <summary>Writes the segment's figures to storage now if they changed since the last write.</summary>
    [Alias("Persist")]
    Task PersistAsync();

    /// <summary>The figures and the top <paramref name="top"/> members (0 to 100).</summary>
    [Alias("Get")]
    Task<SegmentFigures> GetAsync(int top);

    /// <summary>
    /// Returns the figures as soon as their version is above <paramref name="knownVersion"/>, or
    /// null when <paramref name="maxWait"/> passes first or the caller cancels. Changes in
    /// between are coalesced.
    /// </summary>
    [Alias("WaitForChange"), AlwaysInterleave]
    Task<SegmentFigures?> WaitForChangeAsync(long knownVersion, int top, TimeSpan maxWait, CancellationToken cancellationToken = default);
}

/// <summary>
/// A customer's membership of one segment as of one customer version: a member with its
/// contribution, or no longer a member. <see cref="WasMember"/> marks a non-member update sent
/// because the customer moved out of this segment: the segment then remembers the leave even
/// when the join it follows has not reached it yet (it may still be buffered on another silo),
/// so that the late join cannot make the customer a member again. A non-member update without
/// <see cref="WasMember"/> (from a full re-statement, which names every segment) is remembered
/// too, by a segment that did not know the customer, but only in memory and only so many.
/// <see cref="ScoreRevision"/> orders updates of one customer version: a rescore (a new value
/// model, or a later day) changes the score, and possibly the tier, without a new version.
/// </summary>
[GenerateSerializer, Alias("c360.SegmentUpdate"), Immutable]
public readonly record struct SegmentUpdate(
    [property: Id(0)] string CustomerId,
    [property: Id(1)] long CustomerVersion,
    [property: Id(2)] bool IsMember,
    [property: Id(3)] decimal NetSpend,
    [property: Id(4)] decimal ValueScore,
    [property: Id(5)] bool WasMember = false,
    [property: Id(6)] long ScoreRevision = 0)
{
    /// <summary>Where this update stands among the customer's updates: by version, then by score revision.</summary>
    public MembershipOrder Order => new(CustomerVersion, ScoreRevision);
}

/// <summary>The order of a customer's membership updates: (customer version, score revision), compared in that order.</summary>
[GenerateSerializer, Alias("c360.MembershipOrder"), Immutable]
public readonly record struct MembershipOrder([property: Id(0)] long CustomerVersion, [property: Id(1)] long ScoreRevision)
    : IComparable<MembershipOrder>
{
    public int CompareTo(MembershipOrder other) =>
        CustomerVersion != other.CustomerVersion ? CustomerVersion.CompareTo(other.CustomerVersion) : ScoreRevision.CompareTo(other.ScoreRevision);

    public static bool operator <(MembershipOrder left, MembershipOrder right) => left.CompareTo(right) < 0;

    public static bool operator >(MembershipOrder left, MembershipOrder right) => left.CompareTo(right) > 0;

    public static bool operator <=(MembershipOrder left, MembershipOrder right) => left.CompareTo(right) <= 0;

    public static bool operator >=(MembershipOrder left, MembershipOrder right) => left.CompareTo(right) >= 0;
}

/// <summary>A member as shown in a segment's top list.</summary>
[GenerateSerializer, Alias("c360.SegmentMember"), Immutable]
public sealed record SegmentMember(
    [property: Id(0)] string CustomerId,
    [property: Id(1)] decimal ValueScore,
    [property: Id(2)] decimal NetSpend);

/// <summary>A segment's live figures.</summary>
[GenerateSerializer, Alias("c360.SegmentFigures"), Immutable]
public sealed record SegmentFigures(
    [property: Id(0)] string SegmentId,
    [property: Id(1)] long MemberCount,
    [property: Id(2)] decimal TotalNetSpend,
    [property: Id(3)] decimal TotalValueScore,
    [property: Id(4)] decimal MeanValueScore,
    [property: Id(5)] IReadOnlyList<SegmentMember> TopMembers,
    [property: Id(6)] long Version,
    [property: Id(7)] DateTimeOffset UpdatedAt);

using Customer360.Grains.Segments;

namespace Customer360.Grains.Storage;

/// <summary>
/// The durable home of segments: one row per customer a segment has seen (its latest
/// membership) and a small header per segment (the figures' version and when they last
/// changed). A write carries only the members that changed since the previous write, so its
/// cost follows the changes, not the segment's size. Implemented over SQLite, PostgreSQL and,
/// for tests, memory.
/// </summary>
public interface ISegmentStore
{
    /// <summary>The segment's header and every member row, or null when the segment was never written.</summary>
    Task<StoredSegment?> ReadSegmentAsync(string segmentId);

    /// <summary>
    /// Upserts <paramref name="changed"/> and the header together, in one transaction: either
    /// all of it is stored or none of it. A member row only ever moves forward: a row whose
    /// stored <see cref="MemberEntry.Order"/> is at or above the given one is left as it is, so
    /// a late or repeated write cannot bring back an older membership. Members not given are
    /// not touched. Returns how many member rows were inserted or changed.
    /// </summary>
    Task<int> WriteSegmentAsync(string segmentId, SegmentHeader header, IReadOnlyCollection<SegmentMemberRow> changed);
}

/// <summary>A segment's figures version and the time they last changed.</summary>
public readonly record struct SegmentHeader(long Version, DateTimeOffset UpdatedAt);

/// <summary>One customer's latest known membership of a segment.</summary>
public readonly record struct SegmentMemberRow(string CustomerId, MemberEntry Entry);

/// <summary>A segment as stored: its header and every member row, in customer id order.</summary>
public sealed record StoredSegment(SegmentHeader Header, IReadOnlyList<SegmentMemberRow> Members);

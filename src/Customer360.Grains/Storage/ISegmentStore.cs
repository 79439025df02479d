using Customer360.Grains.Segments;

namespace Customer360.Grains.Storage;

/// <summary>
/// The durable home of segments. A segment's members (its members, and the customers that left
/// it lately, with their latest membership) are spread over buckets by a stable hash of the customer id
/// (<see cref="SegmentBuckets"/>), and each bucket is stored whole, as one row. A small header
/// row per segment holds the figures' version, when they last changed, the bucket count, and
/// the writer that holds the segment. A write carries only the buckets that changed, so its
/// cost follows the changes; and a bucket of about a hundred members costs the database about
/// what one member row would, so a sweep or a busy hour that changes every member costs a
/// fraction of a row per member. Implemented over SQLite, PostgreSQL and, for tests, memory.
/// </summary>
/// <remarks>
/// Only one activation of a segment may write it. <see cref="OpenSegmentAsync"/> takes the
/// segment for the caller and fences off every earlier opener: their writes fail with
/// <see cref="SegmentSupersededException"/> and store nothing. So two live copies of a segment
/// (briefly possible in a cluster) cannot overwrite each other's buckets.
/// </remarks>
public interface ISegmentStore
{
    /// <summary>
    /// Takes the segment for the caller (see the remarks on <see cref="ISegmentStore"/>) and
    /// reads it as it is after every earlier opener's last successful write. A segment never
    /// written reads as version 0 with no members.
    /// </summary>
    Task<StoredSegment> OpenSegmentAsync(string segmentId);

    /// <summary>
    /// Stores the header and the given buckets, each replacing the stored bucket of its index
    /// whole, in one transaction: all of it or none of it. Buckets not given are not touched.
    /// Throws <see cref="SegmentSupersededException"/>, storing nothing, when the segment was
    /// opened again since <paramref name="write"/>'s writer opened it.
    /// </summary>
    Task WriteSegmentAsync(string segmentId, SegmentWrite write);
}

/// <summary>A segment's figures version and the time they last changed.</summary>
public readonly record struct SegmentHeader(long Version, DateTimeOffset UpdatedAt);

/// <summary>One customer's latest known membership of a segment.</summary>
public readonly record struct SegmentMemberRow(string CustomerId, MemberEntry Entry);

/// <summary>One bucket of a segment's members, stored whole.</summary>
public sealed record SegmentBucket(int Index, IReadOnlyList<SegmentMemberRow> Members);

/// <summary>
/// A write of a segment: the <paramref name="Writer"/> token its opening returned, the header,
/// the bucket count the members are spread over, and the buckets that changed. With
/// <paramref name="ReplacesAll"/>, <paramref name="Buckets"/> holds every member and the store
/// drops whatever else it keeps of the segment (member rows an earlier version wrote).
/// </summary>
public sealed record SegmentWrite(long Writer, SegmentHeader Header, int BucketCount, IReadOnlyList<SegmentBucket> Buckets, bool ReplacesAll = false);

/// <summary>
/// A segment as its opening found it: the header, the bucket count its members were written
/// with (0 when never written), every member in customer id order, and the token its writes
/// must carry. <paramref name="HasEarlierRows"/> says that some members came from the one-row-
/// per-member table an earlier version wrote; a write with <see cref="SegmentWrite.ReplacesAll"/>
/// moves them to buckets.
/// </summary>
public sealed record StoredSegment(SegmentHeader Header, int BucketCount, IReadOnlyList<SegmentMemberRow> Members, long Writer, bool HasEarlierRows = false)
{
    /// <summary>True for a segment that was never written.</summary>
    public bool IsEmpty => Header.Version == 0 && Members.Count == 0;
}

/// <summary>The segment was opened again, by another activation, since this writer opened it: this writer's write stored nothing.</summary>
[GenerateSerializer, Alias("c360.SegmentSupersededException")]
public sealed class SegmentSupersededException : Exception
{
    public SegmentSupersededException(string segmentId, long writer)
        : base($"Segment '{segmentId}' was opened by another writer after writer {writer}; its write was not stored.")
    {
        SegmentId = segmentId;
        Writer = writer;
    }

    [Id(0)] public string SegmentId { get; private set; }

    [Id(1)] public long Writer { get; private set; }
}

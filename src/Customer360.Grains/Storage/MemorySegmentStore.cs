using System.Runtime.CompilerServices;

namespace Customer360.Grains.Storage;

/// <summary>
/// The segment store held in process memory, one per service like
/// <see cref="MemoryCustomerStore"/> and let go of together with it (see
/// <see cref="MemoryCustomerStore.Forget"/>): nothing survives a restart. Buckets are kept
/// encoded, as a database keeps them.
/// </summary>
public sealed class MemorySegmentStore : ISegmentStore
{
    private static readonly ConditionalWeakTable<MemoryCustomerStore, MemorySegmentStore> ByCustomerStore = new();

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Segment> _segments = new(StringComparer.Ordinal);

    /// <summary>The one segment store of a service, shared by every silo of it in this process.</summary>
    public static MemorySegmentStore ForService(string serviceId) => Of(MemoryCustomerStore.ForService(serviceId));

    /// <summary>The segment store that lives as long as <paramref name="customers"/>.</summary>
    public static MemorySegmentStore Of(MemoryCustomerStore customers) => ByCustomerStore.GetValue(customers, _ => new MemorySegmentStore());

    public Task<StoredSegment> OpenSegmentAsync(string segmentId)
    {
        lock (_gate)
        {
            if (!_segments.TryGetValue(segmentId, out var segment))
            {
                _segments[segmentId] = segment = new Segment();
            }

            segment.Writer++;
            return Task.FromResult(Read(segment));
        }
    }

    /// <summary>The segment as stored, without taking it: for tests.</summary>
    public StoredSegment? Peek(string segmentId)
    {
        lock (_gate)
        {
            return _segments.TryGetValue(segmentId, out var segment) ? Read(segment) : null;
        }
    }

    /// <summary>What the segment's writes have carried so far: buckets and members, whether or not they changed anything.</summary>
    public (long Buckets, long Members) Received(string segmentId)
    {
        lock (_gate)
        {
            return _segments.TryGetValue(segmentId, out var segment) ? (segment.BucketsReceived, segment.MembersReceived) : (0, 0);
        }
    }

    public Task WriteSegmentAsync(string segmentId, SegmentWrite write)
    {
        // Everything is checked and encoded first, so that a bad write stores nothing, as a
        // database transaction would.
        if (write.Buckets.Any(b => b.Index < 0 || b.Index >= write.BucketCount))
        {
            throw new ArgumentOutOfRangeException(nameof(write), "A bucket index is outside the segment's bucket count.");
        }

        var encoded = write.Buckets.Select(b => (b.Index, Bytes: SegmentBucketCodec.Encode(b.Members))).ToList();
        lock (_gate)
        {
            if (!_segments.TryGetValue(segmentId, out var segment) || segment.Writer != write.Writer)
            {
                throw new SegmentSupersededException(segmentId, write.Writer);
            }

            segment.Header = write.Header;
            segment.BucketCount = write.BucketCount;
            if (write.ReplacesAll)
            {
                segment.Buckets.Clear();
            }

            foreach (var (index, bytes) in encoded)
            {
                segment.Buckets[index] = bytes;
            }

            segment.BucketsReceived += write.Buckets.Count;
            segment.MembersReceived += write.Buckets.Sum(b => b.Members.Count);
            return Task.CompletedTask;
        }
    }

    private static StoredSegment Read(Segment segment) =>
        new(segment.Header, segment.BucketCount, SegmentBucketCodec.Members(segment.Buckets.Values, []), segment.Writer);

    private sealed class Segment
    {
        public SegmentHeader Header { get; set; }

        public int BucketCount { get; set; }

        public long Writer { get; set; }

        public Dictionary<int, byte[]> Buckets { get; } = [];

        public long BucketsReceived { get; set; }

        public long MembersReceived { get; set; }
    }
}

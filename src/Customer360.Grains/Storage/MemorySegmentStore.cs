using System.Runtime.CompilerServices;
using Customer360.Grains.Segments;

namespace Customer360.Grains.Storage;

/// <summary>
/// The segment store held in process memory, one per service like
/// <see cref="MemoryCustomerStore"/> and let go of together with it (see
/// <see cref="MemoryCustomerStore.Forget"/>): nothing survives a restart.
/// </summary>
public sealed class MemorySegmentStore : ISegmentStore
{
    private static readonly ConditionalWeakTable<MemoryCustomerStore, MemorySegmentStore> ByCustomerStore = new();

    private readonly Lock _gate = new();
    private readonly Dictionary<string, (SegmentHeader Header, Dictionary<string, MemberEntry> Members)> _segments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _rowsReceived = new(StringComparer.Ordinal);

    /// <summary>The one segment store of a service, shared by every silo of it in this process.</summary>
    public static MemorySegmentStore ForService(string serviceId) => Of(MemoryCustomerStore.ForService(serviceId));

    /// <summary>The segment store that lives as long as <paramref name="customers"/>.</summary>
    public static MemorySegmentStore Of(MemoryCustomerStore customers) => ByCustomerStore.GetValue(customers, _ => new MemorySegmentStore());

    public Task<StoredSegment?> ReadSegmentAsync(string segmentId)
    {
        lock (_gate)
        {
            if (!_segments.TryGetValue(segmentId, out var segment))
            {
                return Task.FromResult<StoredSegment?>(null);
            }

            IReadOnlyList<SegmentMemberRow> members =
            [
                .. segment.Members
                    .OrderBy(m => m.Key, StringComparer.Ordinal)
                    .Select(m => new SegmentMemberRow(m.Key, m.Value)),
            ];
            return Task.FromResult<StoredSegment?>(new StoredSegment(segment.Header, members));
        }
    }

    /// <summary>
    /// How many member rows writes of the segment have carried so far, whether or not they
    /// changed a stored row: what a database would have been sent.
    /// </summary>
    public long MemberRowsReceived(string segmentId)
    {
        lock (_gate)
        {
            return _rowsReceived.GetValueOrDefault(segmentId);
        }
    }

    public Task<int> WriteSegmentAsync(string segmentId, SegmentHeader header, IReadOnlyCollection<SegmentMemberRow> changed)
    {
        // Checked first, so that a bad write stores nothing, as a database transaction would.
        if (changed.Any(m => m.CustomerId is null))
        {
            throw new ArgumentException("Every member row needs a customer id.", nameof(changed));
        }

        lock (_gate)
        {
            if (!_segments.TryGetValue(segmentId, out var segment))
            {
                segment = (header, new Dictionary<string, MemberEntry>(StringComparer.Ordinal));
            }
            else if (header.Version >= segment.Header.Version)
            {
                segment.Header = header;
            }

            var written = 0;
            foreach (var (customerId, entry) in changed)
            {
                if (!segment.Members.TryGetValue(customerId, out var stored) || stored.Order < entry.Order)
                {
                    segment.Members[customerId] = entry;
                    written++;
                }
            }

            _segments[segmentId] = segment;
            _rowsReceived[segmentId] = _rowsReceived.GetValueOrDefault(segmentId) + changed.Count;
            return Task.FromResult(written);
        }
    }
}

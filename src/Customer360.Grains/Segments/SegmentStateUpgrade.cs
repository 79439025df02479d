using Customer360.Grains.Storage;

namespace Customer360.Grains.Segments;

/// <summary>
/// Moves a segment written by an earlier version, which kept every member in Orleans grain
/// state, to the <see cref="ISegmentStore"/>: all its members and its header in one write.
/// </summary>
public static class SegmentStateUpgrade
{
    /// <summary>Writes every member and the header of <paramref name="earlier"/>, and returns the segment as now stored.</summary>
    public static async Task<StoredSegment> MoveToStoreAsync(string segmentId, SegmentGrainState earlier, ISegmentStore store)
    {
        var header = new SegmentHeader(earlier.Version, earlier.UpdatedAt);
        IReadOnlyList<SegmentMemberRow> members =
        [
            .. earlier.Members
                .OrderBy(m => m.Key, StringComparer.Ordinal)
                .Select(m => new SegmentMemberRow(m.Key, m.Value)),
        ];
        await store.WriteSegmentAsync(segmentId, header, members);
        return new StoredSegment(header, members);
    }
}

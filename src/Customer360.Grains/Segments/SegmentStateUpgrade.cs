using Customer360.Grains.Storage;

namespace Customer360.Grains.Segments;

/// <summary>
/// Reads a segment written by an earlier version, which kept every member in Orleans grain
/// state. The segment grain writes what this returns to the <see cref="ISegmentStore"/>, all of
/// it in one write, then clears the grain state.
/// </summary>
public static class SegmentStateUpgrade
{
    /// <summary>The header and every member of <paramref name="earlier"/>, leaves included, in customer id order.</summary>
    public static (SegmentHeader Header, IReadOnlyList<SegmentMemberRow> Members) Members(SegmentGrainState earlier) =>
    (
        new SegmentHeader(earlier.Version, earlier.UpdatedAt),
        [
            .. earlier.Members
                .OrderBy(m => m.Key, StringComparer.Ordinal)
                .Select(m => new SegmentMemberRow(m.Key, m.Value)),
        ]
    );
}

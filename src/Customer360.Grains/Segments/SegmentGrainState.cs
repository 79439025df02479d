using Customer360.Contracts.Segments;

namespace Customer360.Grains.Segments;

/// <summary>
/// What earlier versions persisted of a segment in Orleans grain state: every customer's latest
/// known membership and the figures' version. Segments now keep their members in the
/// <see cref="Storage.ISegmentStore"/>; this state is only read, once, to move a segment written
/// by an earlier version there, and then cleared.
/// </summary>
[GenerateSerializer, Alias("c360.SegmentGrainState")]
public sealed class SegmentGrainState
{
    /// <summary>
    /// By customer id. Entries with <see cref="MemberEntry.IsMember"/> false remember the
    /// version (and score revision) at which a customer left, so a late, older update cannot bring it back.
    /// </summary>
    [Id(0)] public Dictionary<string, MemberEntry> Members { get; set; } = new(StringComparer.Ordinal);

    [Id(1)] public long Version { get; set; }

    [Id(2)] public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A customer's latest known membership of a segment, and the order of the update it came from.</summary>
[GenerateSerializer, Alias("c360.SegmentMemberEntry")]
public readonly record struct MemberEntry(
    [property: Id(0)] long CustomerVersion,
    [property: Id(1)] bool IsMember,
    [property: Id(2)] decimal NetSpend,
    [property: Id(3)] decimal ValueScore,
    [property: Id(4)] long ScoreRevision = 0)
{
    public MembershipOrder Order => new(CustomerVersion, ScoreRevision);
}

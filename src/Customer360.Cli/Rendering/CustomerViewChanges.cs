using Customer360.Api.V1;
using Customer360.Cli.Mapping;

namespace Customer360.Cli.Rendering;

/// <summary>
/// What changed between two views of one customer, in a few plain lines: what someone watching
/// a customer live wants to see, without re-reading the whole view each time.
/// </summary>
internal static class CustomerViewChanges
{
    public static IReadOnlyList<string> Describe(CustomerView previous, CustomerView current)
    {
        var changes = new List<string>();

        var known = previous.RecentTouchpoints.Select(t => t.EventId).ToHashSet(StringComparer.Ordinal);
        changes.AddRange(current.RecentTouchpoints
            .Where(t => !known.Contains(t.EventId))
            .Reverse()
            .Select(t => $"new touchpoint: {TouchpointTable.Describe(t)}"));

        var before = previous.Aggregates ?? new Aggregates();
        var after = current.Aggregates ?? new Aggregates();
        if (before.TouchpointCount != after.TouchpointCount)
        {
            changes.Add($"touchpoints {before.TouchpointCount} -> {after.TouchpointCount}");
        }

        AddIfChanged(changes, "net spend", before.NetSpend, after.NetSpend);

        var valueBefore = previous.Value ?? new ValueScore();
        var valueAfter = current.Value ?? new ValueScore();
        AddIfChanged(changes, "value score", valueBefore.Score, valueAfter.Score);
        if (valueBefore.Tier != valueAfter.Tier)
        {
            changes.Add($"tier {FriendlyNames.Tiers.Format(valueBefore.Tier)} -> {FriendlyNames.Tiers.Format(valueAfter.Tier)}");
        }

        if (before.PreferredChannel != after.PreferredChannel)
        {
            changes.Add($"preferred channel {FriendlyNames.Channels.Format(before.PreferredChannel)} -> {FriendlyNames.Channels.Format(after.PreferredChannel)}");
        }

        changes.AddRange(current.Segments.Except(previous.Segments, StringComparer.Ordinal).Select(s => $"joined segment {s}"));
        changes.AddRange(previous.Segments.Except(current.Segments, StringComparer.Ordinal).Select(s => $"left segment {s}"));

        if (!Equals(previous.Profile, current.Profile))
        {
            changes.Add("profile updated");
        }

        if (changes.Count == 0 && previous.Version != current.Version)
        {
            changes.Add("other changes");
        }

        return changes;
    }

    /// <summary>
    /// Whether <paramref name="view"/> is newer than <paramref name="than"/>: a later version, or
    /// the same version rescored (a new value model, a new day), which the server sends with a
    /// later <c>value.computed_at</c>. A view that is neither is one the user has already seen.
    /// </summary>
    public static bool IsNewer(CustomerView view, CustomerView than) =>
        view.Version != than.Version
            ? view.Version > than.Version
            : ComputedAt(view) > ComputedAt(than);

    private static DateTime ComputedAt(CustomerView view) =>
        view.Value?.ComputedAt?.ToDateTime() ?? DateTime.MinValue;

    private static void AddIfChanged(List<string> changes, string what, Money? before, Money? after)
    {
        if (!Equals(before, after))
        {
            changes.Add($"{what} {ProtoValues.Format(before)} -> {ProtoValues.Format(after)}");
        }
    }
}

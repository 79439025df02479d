using Customer360.Contracts.Customers;
using Customer360.Contracts.Segments;
using Customer360.Domain.Segments;

namespace Customer360.Cluster.Tests.Segments;

/// <summary>
/// Segment figures recomputed from customer views, the way a report would from a full scan,
/// and compared with what the segment grains hold.
/// </summary>
internal static class RecomputedSegments
{
    public const int Top = 100;

    public sealed record Expected(string SegmentId, long MemberCount, decimal TotalNetSpend, decimal TotalValueScore, IReadOnlyList<SegmentMember> TopMembers);

    /// <summary>The figures of every segment, given the views of all customers in the cluster.</summary>
    public static Dictionary<string, Expected> From(IReadOnlyCollection<CustomerView> views) =>
        SegmentId.All.ToDictionary(segmentId => segmentId, segmentId =>
        {
            var members = views.Where(v => v.Segments.Contains(segmentId)).ToList();
            var top = members
                .OrderByDescending(v => Score(v))
                .ThenBy(v => v.CustomerId, StringComparer.Ordinal)
                .Take(Top)
                .Select(v => new SegmentMember(v.CustomerId, Score(v), v.Aggregates.NetSpend))
                .ToArray();
            return new Expected(segmentId, members.Count, members.Sum(v => v.Aggregates.NetSpend), members.Sum(Score), top);
        }, StringComparer.Ordinal);

    public static async Task<Dictionary<string, SegmentFigures>> ReadAllAsync(IGrainFactory grains)
    {
        var figures = await Task.WhenAll(SegmentId.All.Select(id => grains.GetGrain<ISegmentGrain>(id).GetAsync(Top)));
        return figures.ToDictionary(f => f.SegmentId, StringComparer.Ordinal);
    }

    /// <summary>Every way the actual figures differ from the expected ones; empty when they agree.</summary>
    public static List<string> Differences(
        IReadOnlyDictionary<string, Expected> expected,
        IReadOnlyDictionary<string, SegmentFigures> actual)
    {
        var differences = new List<string>();
        foreach (var (segmentId, want) in expected)
        {
            var have = actual[segmentId];
            if (have.MemberCount != want.MemberCount)
            {
                differences.Add($"{segmentId}: {have.MemberCount} members, expected {want.MemberCount}");
            }

            if (have.TotalNetSpend != want.TotalNetSpend)
            {
                differences.Add($"{segmentId}: total net spend {have.TotalNetSpend}, expected {want.TotalNetSpend}");
            }

            if (have.TotalValueScore != want.TotalValueScore)
            {
                differences.Add($"{segmentId}: total value score {have.TotalValueScore}, expected {want.TotalValueScore}");
            }

            var mean = want.MemberCount == 0 ? 0m : decimal.Round(want.TotalValueScore / want.MemberCount, 2, MidpointRounding.ToEven);
            if (have.MeanValueScore != mean)
            {
                differences.Add($"{segmentId}: mean value score {have.MeanValueScore}, expected {mean}");
            }

            if (!have.TopMembers.SequenceEqual(want.TopMembers))
            {
                var firstMismatch = Enumerable.Range(0, Math.Max(have.TopMembers.Count, want.TopMembers.Count))
                    .First(i => i >= have.TopMembers.Count || i >= want.TopMembers.Count || have.TopMembers[i] != want.TopMembers[i]);
                differences.Add($"{segmentId}: top members differ from position {firstMismatch}: "
                    + $"{have.TopMembers.ElementAtOrDefault(firstMismatch)} instead of {want.TopMembers.ElementAtOrDefault(firstMismatch)}");
            }
        }

        return differences;
    }

    private static decimal Score(CustomerView view) => view.Value?.Score ?? 0m;
}

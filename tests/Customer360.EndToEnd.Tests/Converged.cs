using Customer360.Api.V1;
using System.Globalization;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Waits, by polling with a deadline, until every segment's figures equal the sums recomputed
/// from the customers' own views. Segments follow customers asynchronously (batched per silo),
/// so tests wait for convergence rather than sleeping for a fixed time.
/// </summary>
public static class Converged
{
    public static Task<ListSegmentsResponse> SegmentsAsync(TestServer server, IEnumerable<CustomerView> customers, TimeSpan? timeout = null) =>
        SegmentsAsync(server.Segments, customers, timeout);

    public static async Task<ListSegmentsResponse> SegmentsAsync(SegmentService.SegmentServiceClient segments, IEnumerable<CustomerView> customers, TimeSpan? timeout = null)
    {
        var views = customers.ToArray();
        var expected = Expected(views);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var actual = await segments.ListSegmentsAsync(new ListSegmentsRequest());
            var mismatch = Mismatch(expected, actual);
            if (mismatch is null)
            {
                return actual;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Segments did not converge: {mismatch}");
            }

            await Task.Delay(100);
        }
    }

    public static Dictionary<string, (long Count, decimal NetSpend, decimal Score)> Expected(IEnumerable<CustomerView> views) =>
        views.SelectMany(v => v.Segments.Select(s => (Segment: s, View: v)))
            .GroupBy(x => x.Segment)
            .ToDictionary(
                g => g.Key,
                g => ((long)g.Count(), g.Sum(x => Parse(x.View.Aggregates.NetSpend)), g.Sum(x => Parse(x.View.Value.Score))));

    public static decimal Parse(Money money) => decimal.Parse(money.Amount, CultureInfo.InvariantCulture);

    private static string? Mismatch(Dictionary<string, (long Count, decimal NetSpend, decimal Score)> expected, ListSegmentsResponse actual)
    {
        foreach (var segment in actual.Segments)
        {
            var want = expected.GetValueOrDefault(segment.SegmentId);
            var got = (segment.MemberCount, Parse(segment.TotalNetSpend), Parse(segment.TotalValueScore));
            if (want != got)
            {
                return $"{segment.SegmentId}: expected {want}, got {got}";
            }
        }

        return null;
    }
}

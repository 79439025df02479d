using System.Diagnostics;
using Customer360.Api.V1;
using Customer360.LoadTest.Engine;
using Customer360.LoadTest.Workload;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// How acks are matched to what watchers and the dashboard receive, fed made-up acks, views and
/// segment updates with made-up timestamps (pure logic; the live run is in <see cref="MixedWorkloadTests"/>).
/// </summary>
public sealed class MixedWorkloadMatchingTests
{
    private static readonly long Millisecond = Stopwatch.Frequency / 1000;

    [Fact]
    public void AWatcherMatchesAnAckToTheFirstViewAtLeastThatNew()
    {
        var watchers = new CustomerWatchers([], ["c1"]);

        watchers.Acknowledged("c1", "e1", version: 5, receivedAt: 1_000 * Millisecond);
        watchers.Viewed("c1", version: 4, [], receivedAt: 1_004 * Millisecond);
        Assert.Equal(1, watchers.Unmatched);

        watchers.Viewed("c1", version: 6, [], receivedAt: 1_010 * Millisecond);

        Assert.Equal(0, watchers.Unmatched);
        var propagation = watchers.Propagation.Latency();
        Assert.Equal(1, propagation.Count);
        Assert.InRange(propagation.Max, 9_990, 10_010);
    }

    [Fact]
    public void AViewThatCameBeforeItsAckCountsAsZeroAndAnAckWithoutVersionIsFoundByItsEvent()
    {
        var watchers = new CustomerWatchers([], ["c1"]);
        watchers.Viewed("c1", version: 7, ["e7"], receivedAt: 500 * Millisecond);

        watchers.Acknowledged("c1", "e7", version: 7, receivedAt: 501 * Millisecond);
        watchers.Acknowledged("c1", "e8", version: 0, receivedAt: 502 * Millisecond);
        watchers.Viewed("c1", version: 7, ["e7"], receivedAt: 503 * Millisecond);
        Assert.Equal(1, watchers.Unmatched);
        watchers.Viewed("c1", version: 7, ["e8", "e7"], receivedAt: 505 * Millisecond);

        Assert.Equal(0, watchers.Unmatched);
        var propagation = watchers.Propagation.Latency();
        Assert.Equal(2, propagation.Count);
        Assert.Equal(0, propagation.P50);
        Assert.InRange(propagation.Max, 2_990, 3_010);
    }

    [Fact]
    public void TheDashboardNeverCountsATouchpointReflectedBeforeItIs()
    {
        // Net spend 0 -> 10 (purchase) -> 10 (visit) -> 0 (return) -> 10 (purchase): the figure 10
        // fits the first purchase and the last, so an update showing 10 first means only the first.
        var workload = Workload(("p1", 10m), ("v1", 0m), ("r1", -10m), ("p2", 10m));
        var dashboard = new SegmentDashboard([], workload, new Dictionary<string, decimal>());
        dashboard.Update("tier:gold", [("c1", 0m)], 50 * Millisecond);
        foreach (var (id, at) in new[] { ("p1", 100), ("v1", 101), ("r1", 102), ("p2", 103) })
        {
            dashboard.Acknowledged(id, at * Millisecond);
        }

        Assert.Equal(3, dashboard.VisibleAcks);

        dashboard.Update("tier:gold", [("c1", 10m)], 150 * Millisecond);
        Assert.Equal(1, dashboard.Staleness.Latency().Count);
        Assert.Equal(2, dashboard.PendingOfListedMembers());

        dashboard.Update("tier:gold", [("c1", 0m)], 160 * Millisecond);
        dashboard.Update("tier:gold", [("c1", 10m)], 170 * Millisecond);

        var staleness = dashboard.Staleness.Latency();
        Assert.Equal(3, staleness.Count);
        Assert.Equal(0, dashboard.PendingOfListedMembers());
        Assert.InRange(staleness.Max, 66_900, 67_100);
    }

    [Fact]
    public void TheDashboardIgnoresAFigureOlderThanOneAlreadySeen()
    {
        var workload = Workload(("p1", 10m), ("p2", 5m));
        var dashboard = new SegmentDashboard([], workload, new Dictionary<string, decimal> { ["c1"] = 100m });
        dashboard.Update("tier:gold", [("c1", 100m)], 50 * Millisecond);
        dashboard.Update("channel:web", [("c1", 100m)], 50 * Millisecond);
        dashboard.Acknowledged("p1", 100 * Millisecond);
        dashboard.Acknowledged("p2", 101 * Millisecond);

        dashboard.Update("tier:gold", [("c1", 110m)], 120 * Millisecond);
        // A lagging segment still shows the customer before the phase: nothing new is reflected.
        dashboard.Update("channel:web", [("c1", 100m)], 130 * Millisecond);
        Assert.Equal(1, dashboard.Staleness.Latency().Count);

        dashboard.Update("tier:gold", [("c1", 115m)], 140 * Millisecond);
        Assert.Equal(2, dashboard.Staleness.Latency().Count);
    }

    [Fact]
    public void ATouchpointOfACustomerOutsideEveryTopListIsNotMatchedWhenTheCustomerRisesIntoOneLater()
    {
        var workload = Workload(("p1", 10m), ("p2", 500m));
        var dashboard = new SegmentDashboard([], workload, new Dictionary<string, decimal>());
        dashboard.Update("tier:gold", [("someone-else", 1_000m)], 50 * Millisecond);

        // p1 lands while c1 is in no top list; p2 lands once an update lists c1.
        dashboard.Acknowledged("p1", 100 * Millisecond);
        dashboard.Update("tier:gold", [("c1", 10m)], 5_000 * Millisecond);
        dashboard.Acknowledged("p2", 5_100 * Millisecond);
        dashboard.Update("tier:gold", [("c1", 510m)], 5_150 * Millisecond);

        var staleness = dashboard.Staleness.Latency();
        Assert.Equal(1, staleness.Count);
        Assert.InRange(staleness.Max, 49_900, 50_100);
        Assert.Equal(2, dashboard.VisibleAcks);
    }

    [Fact]
    public void ACustomerWhoLeavesEveryTopListTakesItsPendingAcksWithIt()
    {
        var workload = Workload(("p1", 10m));
        var dashboard = new SegmentDashboard([], workload, new Dictionary<string, decimal>());
        dashboard.Update("tier:gold", [("c1", 0m)], 50 * Millisecond);
        dashboard.Acknowledged("p1", 100 * Millisecond);
        Assert.Equal(1, dashboard.PendingOfListedMembers());

        dashboard.Update("tier:gold", [], 200 * Millisecond);
        dashboard.Update("tier:silver", [("c1", 10m)], 9_000 * Millisecond);

        Assert.Equal(0, dashboard.Staleness.Latency().Count);
        Assert.Equal(0, dashboard.PendingOfListedMembers());
    }

    private static IngestWorkload Workload(params (string EventId, decimal Change)[] touchpoints) =>
        new(1, [.. touchpoints.Select((t, i) => new WorkloadTouchpoint
        {
            CustomerIndex = 0,
            CustomerId = "c1",
            EventId = t.EventId,
            Sequence = i + 1,
            OccurredAt = DateTimeOffset.UnixEpoch.AddDays(i),
            Fingerprint = i,
            Payload = "{}",
            Kind = 1,
            ReportingAmount = Math.Abs(t.Change),
            NetSpendChange = t.Change,
            Message = new Touchpoint { EventId = t.EventId, CustomerId = "c1", Channel = Channel.Web },
        })]);
}

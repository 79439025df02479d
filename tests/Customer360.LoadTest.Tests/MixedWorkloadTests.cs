using Customer360.LoadTest.Ingest;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// A short ingest run against the real server on loopback with agents reading, screens watching
/// and a dashboard on the segments: a test that every figure is measured and matched, not of speed.
/// </summary>
public sealed class MixedWorkloadTests
{
    [Fact]
    public async Task AShortMixedRunReadsWatchesAndMatchesAcksWithoutErrors()
    {
        await using var server = await LoopbackServer.StartAsync();
        var settings = EngineOnlySettings.For(server.Address, "mixed") with
        {
            Touchpoints = 1_500,
            Customers = 30,
            Seed = 11,
            Rate = 1_000,
            ReadsPerSecond = 200,
            Watchers = 3,
            Dashboard = true,
        };

        var report = await new IngestBenchmark(settings, _ => { }).RunAsync(CancellationToken.None);

        Assert.True(report.Engine.Clean, string.Join("\n", report.Engine.Problems));
        Assert.True(report.Verification!.Passed, string.Join("\n", report.Verification.Samples));
        var mixed = Assert.IsType<Engine.MixedWorkloadResult>(report.Mixed);
        Assert.True(mixed.Clean);

        var reads = Assert.IsType<Engine.ReadResult>(mixed.Reads);
        Assert.True(reads.Latency.Count > 0);
        Assert.Empty(reads.Errors);
        Assert.True(reads.TouchpointsPerView > 0, "every read customer has touchpoints, and the reads ask for all the server keeps");

        var watch = Assert.IsType<Engine.WatchResult>(mixed.Watch);
        Assert.Equal(3, watch.Watchers);
        Assert.True(watch.Acks > 0);
        Assert.True(watch.Matched > 0);
        Assert.Empty(watch.Errors);

        var dashboard = Assert.IsType<Engine.DashboardResult>(mixed.Dashboard);
        Assert.Equal(1_500, dashboard.Acks);
        Assert.True(dashboard.Matched > 0);
        Assert.True(dashboard.Matched <= dashboard.VisibleAcks);
        Assert.Contains("tier:gold", dashboard.Segments);
        Assert.Empty(dashboard.Errors);

        // The JSON report carries the same figures.
        var json = Reporting.ReportJson.ToJson(report)["mixedWorkload"]!;
        Assert.Equal(reads.Latency.Count, json["reads"]!["latencyMicroseconds"]!["count"]!.GetValue<long>());
        Assert.Equal(Math.Round(reads.TouchpointsPerView!.Value, 2), json["reads"]!["recentTouchpointsPerView"]!.GetValue<double>());
        Assert.Equal(watch.Matched, json["watch"]!["matched"]!.GetValue<long>());
        Assert.Equal(dashboard.Matched, json["dashboard"]!["matched"]!.GetValue<long>());
    }
}

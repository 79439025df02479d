using System.Text.Json.Nodes;
using Customer360.LoadTest.Engine;
using Customer360.LoadTest.Reporting;
using Customer360.LoadTest.Summary;

namespace Customer360.LoadTest.Tests;

/// <summary>The mixed-workload figures in the JSON report, and as <c>summarize</c> reads them back.</summary>
public sealed class MixedWorkloadSummaryTests
{
    private static readonly IReadOnlyDictionary<string, long> NoErrors = new Dictionary<string, long>();

    [Fact]
    public void ReadWatchAndStalenessFiguresAreWrittenAndSummarised()
    {
        var mixed = new MixedWorkloadResult
        {
            Reads = new ReadResult(5_000, 50_000, TimeSpan.FromSeconds(10), Latency(p99: 1_500), new Dictionary<string, long> { ["Unavailable"] = 2 }),
            NaiveReads = new ReadResult(5_000, 50_000, TimeSpan.FromSeconds(10), Latency(p99: 6_000), NoErrors),
            Watch = new WatchResult(20, 900, 800, 0, Latency(p99: 12_000), NoErrors),
            Dashboard = new DashboardResult(["tier:gold", "channel:web"], 300, 1_000, 450, Latency(p99: 400_000, count: 250), NoErrors),
        };

        var json = MixedWorkloadReport.ToJson(mixed);

        Assert.Equal(0.25, json["readP99ToNaive"]!.GetValue<double>(), 6);
        Assert.Equal(2, json["reads"]!["errors"]!["Unavailable"]!.GetValue<long>());
        Assert.Equal(0.25, json["dashboard"]!["coverage"]!.GetValue<double>(), 6);
        Assert.Equal(250, json["dashboard"]!["matched"]!.GetValue<long>());

        var report = new JsonObject
        {
            ["store"] = "PostgreSQL 15",
            ["engine"] = new JsonObject { ["acknowledgedPerSecond"] = 1_000.0 },
            ["verification"] = new JsonObject { ["passed"] = true },
            ["mixedWorkload"] = JsonNode.Parse(json.ToJsonString()),
        };
        var run = RunFigures.Read("mixed.json", report);

        Assert.Equal("gRPC ingest, PostgreSQL 15 (reads 5000/s, 20 watchers, dashboard)", run.Setup);
        var figures = run.Figures.ToDictionary(f => f.Measure, f => f.Value);
        Assert.Equal(1.5, figures["GetCustomer p99 ms"], 6);
        Assert.Equal(6, figures["(b) naive read p99 ms"], 6);
        Assert.Equal(12, figures["watch propagation p99 ms"], 6);
        Assert.Equal(400, figures["segment staleness p99 ms"], 6);
    }

    private static LatencySummary Latency(long p99, long count = 1_000) => new(count, p99 / 4, p99 / 2, p99, p99, p99, p99 / 4.0);
}

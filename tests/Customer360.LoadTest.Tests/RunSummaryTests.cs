using Customer360.LoadTest.Baselines;
using Customer360.LoadTest.Engine;
using Customer360.LoadTest.InProcess;
using Customer360.LoadTest.Reporting;
using Customer360.LoadTest.Summary;

namespace Customer360.LoadTest.Tests;

public sealed class RunSummaryTests
{
    [Fact]
    public void TheMedianIsTheMiddleRunOrTheMeanOfTheTwoMiddleOnes()
    {
        Assert.Equal(new FigureSummary("x", 3, 5, 1, 9), FigureSummary.Of("x", [9, 1, 5]));
        Assert.Equal(new FigureSummary("x", 4, 4, 1, 9), FigureSummary.Of("x", [9, 3, 1, 5]));
    }

    [Fact]
    public void IngestRunsOfTheSameSetupAreSummarisedTogetherFromTheirJson()
    {
        var fast = Ingest("PostgreSQL 15", engineSeconds: 10, copySeconds: 2, naiveSeconds: 25, p99: 300_000);
        var slow = Ingest("PostgreSQL 15", engineSeconds: 20, copySeconds: 2, naiveSeconds: 25, p99: 500_000);
        var sqlite = Ingest("SQLite", engineSeconds: 25, copySeconds: null, naiveSeconds: null, p99: 400_000);

        var runs = new[] { fast, slow, sqlite }.Select((r, i) => RunFigures.Read($"run{i}.json", ReportJson.ToJson(r))).ToArray();
        var summary = FigureSummary.Summarise(runs);

        Assert.Equal(["gRPC ingest, PostgreSQL 15", "gRPC ingest, SQLite"], summary.Select(s => s.Setup));
        var postgres = summary[0].Figures.ToDictionary(f => f.Measure);
        Assert.Equal(2, summary[0].Runs);
        Assert.Equal(7_500, postgres["engine touchpoints/s"].Median, 1);
        Assert.Equal(5_000, postgres["engine touchpoints/s"].Lowest, 1);
        Assert.Equal(0.15, postgres["engine / (a)"].Median, 3);
        Assert.Equal(2.5, postgres["engine / (b)"].Highest, 3);
        Assert.Equal(400, postgres["ack p99 ms"].Median, 3);
        Assert.DoesNotContain(summary[1].Figures, f => f.Measure.StartsWith("(a)", StringComparison.Ordinal));

        var markdown = SummarizeCommand.ToMarkdown(summary);
        Assert.Contains("**gRPC ingest, PostgreSQL 15**, 2 runs:", markdown);
        Assert.Contains("| engine touchpoints/s | 7,500 | 5,000 | 10,000 |", markdown);
        Assert.Contains("| engine / (a) | 0.15x | 0.10x | 0.20x |", markdown);
    }

    [Fact]
    public void AnIngestRunsCpuFiguresAreReadPerTouchpoint()
    {
        var withCpu = Ingest("PostgreSQL 15", engineSeconds: 10, copySeconds: 2, naiveSeconds: 25, p99: 300_000) with
        {
            EngineCpu = new CpuUse(Touchpoints: 50_000, LoadToolSeconds: 1, ServerSeconds: 2.5, PostgresSeconds: 2, OtherSeconds: 0.1, UnattributedSeconds: 0, MachineBusyShare: 0.92),
        };
        var without = Ingest("PostgreSQL 15", engineSeconds: 10, copySeconds: 2, naiveSeconds: 25, p99: 300_000);

        var figures = RunFigures.Read("cpu.json", ReportJson.ToJson(withCpu)).Figures.ToDictionary(f => f.Measure, f => f.Value);
        var none = RunFigures.Read("nocpu.json", ReportJson.ToJson(without)).Figures;

        Assert.Equal(50, figures["server CPU µs/touchpoint"], 6);
        Assert.Equal(40, figures["PostgreSQL CPU µs/touchpoint"], 6);
        Assert.Equal(20, figures["load tool CPU µs/touchpoint"], 6);
        Assert.Equal(92, figures["machine busy %"], 6);
        Assert.DoesNotContain(none, f => f.Measure.Contains("CPU", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnInProcessRunIsReadBackWithItsOwnFigures()
    {
        var report = await InProcessLoad.RunAsync(
            new InProcessSettings { RunId = "sum-" + Guid.NewGuid().ToString("N")[..8], Touchpoints = 500, Customers = 50, Concurrency = 16 },
            _ => { },
            CancellationToken.None);

        var run = RunFigures.Read("inproc.json", InProcessCommand.ToJson(report));

        Assert.Equal("in-process, 2 silo(s), memory store, cold", run.Setup);
        Assert.True(run.Verified);
        var figures = run.Figures.ToDictionary(f => f.Measure, f => f.Value);
        Assert.Equal(report.Engine.PerSecond, figures["engine touchpoints/s"], 6);
        Assert.Equal(report.EngineToCeiling, figures["engine / ceiling"], 6);
    }

    [Fact]
    public void AnInProcessRunsMemoryFiguresAreReadInKilobytes()
    {
        var report = System.Text.Json.Nodes.JsonNode.Parse("""
            { "silos": 2, "store": "memory", "warmup": 0, "engineToCeiling": 0.5,
              "engine": { "perSecond": 100 }, "ceiling": { "perSecond": 200 }, "verificationPassed": true,
              "memory": { "bytesPerCustomerFullWindow": 26624, "bytesPerCustomerAsRun": 8192 } }
            """)!;

        var figures = RunFigures.Read("inproc.json", report).Figures.ToDictionary(f => f.Measure, f => f.Value);

        Assert.Equal(26, figures["KB per active customer, windows filled"], 6);
        Assert.Equal(8, figures["KB per active customer, as run"], 6);
    }

    internal static IngestReport Ingest(string store, double engineSeconds, double? copySeconds, double? naiveSeconds, long p99) => new()
    {
        RunId = "r",
        StartedAt = DateTimeOffset.UnixEpoch,
        Server = "http://127.0.0.1:5360",
        StoreLabel = store,
        Machine = new MachineInfo(2, "cpu", "os", "runtime"),
        Touchpoints = 100_000,
        Customers = 10_000,
        Seed = 1,
        AveragePayloadBytes = 300,
        Warmup = 0,
        Engine = new EngineResult
        {
            Streams = 16,
            Window = 64,
            Batch = 1,
            Messages = 100_000,
            OfferedRate = null,
            Sent = 100_000,
            Accepted = 100_000,
            Duplicate = 0,
            Rejected = 0,
            Unacknowledged = 0,
            Elapsed = TimeSpan.FromSeconds(engineSeconds),
            AckLatency = new LatencySummary(100_000, p99 / 4, p99 / 2, p99, p99, p99, p99 / 4.0),
            ScheduledLatency = null,
            Applied = new HashSet<string>(),
            Answered = new HashSet<string>(),
            Problems = [],
        },
        Copy = copySeconds is { } c ? new BaselineResult(100_000, TimeSpan.FromSeconds(c), "copy") : null,
        Naive = naiveSeconds is { } n ? new BaselineResult(100_000, TimeSpan.FromSeconds(n), "naive") : null,
        Verification = new VerificationResult(10_000, 0, 0, 0, []),
    };
}

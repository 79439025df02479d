using System.Text.Json.Nodes;
using Customer360.LoadTest.Summary;

namespace Customer360.LoadTest.Tests;

/// <summary>The ceilings' figures are read back from a run's JSON, so that <c>summarize</c> gives their medians too.</summary>
public sealed class CeilingSummaryTests
{
    [Fact]
    public void AnIngestRunsEchoCeilingAndRatioAreSummarised()
    {
        var report = new JsonObject
        {
            ["store"] = "sqlite",
            ["engine"] = new JsonObject { ["acknowledgedPerSecond"] = 3_000.0, ["batch"] = 1 },
            ["echoCeiling"] = new JsonObject { ["echoedPerSecond"] = 30_000.0 },
            ["ratios"] = new JsonObject { ["engineToEchoCeiling"] = 0.1 },
            ["verification"] = new JsonObject { ["passed"] = true },
        };

        var figures = RunFigures.Read("ingest.json", report).Figures.ToDictionary(f => f.Measure, f => f.Value);

        Assert.Equal(30_000, figures["echo ceiling touchpoints/s"]);
        Assert.Equal(0.1, figures["engine / echo ceiling"]);
    }

    [Fact]
    public void AnInProcessRunsSiloCeilingAndOfferedRateAreSummarised()
    {
        var report = new JsonObject
        {
            ["silos"] = 2,
            ["store"] = "memory",
            ["warmup"] = 0,
            ["engine"] = new JsonObject { ["perSecond"] = 2_000.0, ["offeredRate"] = 2_000.0 },
            ["ceiling"] = new JsonObject { ["perSecond"] = 40_000.0 },
            ["siloCeiling"] = new JsonObject { ["perSecond"] = 50_000.0 },
            ["engineToCeiling"] = 0.05,
            ["ratios"] = new JsonObject { ["engineToCeiling"] = 0.05, ["engineToSiloCeiling"] = 0.04 },
            ["verificationPassed"] = true,
        };

        var run = RunFigures.Read("inproc.json", report);
        var figures = run.Figures.ToDictionary(f => f.Measure, f => f.Value);

        Assert.Equal("in-process, 2 silo(s), memory store, cold, offered 2,000/s", run.Setup);
        Assert.Equal(50_000, figures["silo ceiling calls/s"]);
        Assert.Equal(0.04, figures["engine / silo ceiling"]);
    }
}

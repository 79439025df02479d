using System.Diagnostics;
using Customer360.LoadTest.Engine;
using Customer360.LoadTest.InProcess;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// The in-silo grain-call ceiling (one driver per silo, no client gateway) and the open-loop
/// engine phase of <c>inproc --rate</c>, on a real in-process cluster.
/// </summary>
public sealed class InProcessCeilingTests
{
    private static InProcessSettings Settings(double? rate = null) => new()
    {
        RunId = "ceil-" + Guid.NewGuid().ToString("N")[..8],
        Silos = 2,
        Touchpoints = 1_000,
        Customers = 100,
        Concurrency = 16,
        Rate = rate,
    };

    [Fact]
    public async Task TheSiloCeilingIsMeasuredAndReportedNextToTheClientCeiling()
    {
        var report = await InProcessLoad.RunAsync(Settings(), _ => { }, CancellationToken.None);

        Assert.True(report.Clean);
        var silo = Assert.IsType<CallPhase>(report.SiloCeiling);
        Assert.Equal(1_000, silo.Calls);
        Assert.Equal(1_000, silo.Latency.Count);
        Assert.True(silo.PerSecond > 0);
        Assert.Equal(report.Engine.PerSecond / silo.PerSecond, report.EngineToSiloCeiling);

        var json = InProcessCommand.ToJson(report);
        Assert.Equal(1_000, json["siloCeiling"]!["calls"]!.GetValue<long>());
        Assert.Equal(report.EngineToSiloCeiling, json["ratios"]!["engineToSiloCeiling"]!.GetValue<double>());
        Assert.Equal(report.EngineToCeiling, json["ratios"]!["engineToCeiling"]!.GetValue<double>());
        Assert.Equal("send", json["engine"]!["latencyFrom"]!.GetValue<string>());
        Assert.Null(json["engine"]!["offeredRate"]);
    }

    [Fact]
    public async Task EachSiloRunsOneDriverAndTheCallsAreSharedOut()
    {
        var settings = Settings();
        var cluster = await InProcessCluster.StartAsync(settings);
        try
        {
            var runs = await SiloCeiling.RunDriversAsync(cluster.Client, silos: 2, calls: 1_001, keys: 50, concurrency: 8);

            Assert.Equal(2, runs.Length);
            Assert.Equal(2, runs.Select(r => r.Silo).Distinct().Count());
            Assert.Equal([501L, 500L], runs.Select(r => r.Calls));
            Assert.All(runs, r => Assert.Equal(r.Calls, r.Latency().TotalCount));
            Assert.Equal(1_001, SiloCeiling.Combine(runs).Latency.Count);
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task OpenLoopReportsOfferedAndAchievedRatesWithLatencyFromDueTimes()
    {
        var report = await InProcessLoad.RunAsync(Settings(rate: 4_000), _ => { }, CancellationToken.None);

        Assert.True(report.Clean);
        Assert.Equal(1_000, report.Accepted);
        Assert.Equal(4_000, report.Engine.OfferedRate);
        Assert.True(report.Engine.PerSecond > 0);
        Assert.Equal(1_000, report.Engine.Latency.Count);
        var fromSend = Assert.IsType<LatencySummary>(report.Engine.SendLatency);
        Assert.Equal(1_000, fromSend.Count);
        // Every call is due no later than it is sent, so each percentile from due times is at
        // least the same percentile from sends.
        Assert.True(report.Engine.Latency.P50 >= fromSend.P50);
        Assert.True(report.Engine.Latency.Max >= fromSend.Max);

        var json = InProcessCommand.ToJson(report);
        Assert.Equal("due", json["engine"]!["latencyFrom"]!.GetValue<string>());
        Assert.Equal(4_000, json["engine"]!["offeredRate"]!.GetValue<double>());
        Assert.Equal(report.Engine.PerSecond, json["engine"]!["achievedRate"]!.GetValue<double>());
        Assert.Equal(1_000, json["engine"]!["sendLatency"]!["count"]!.GetValue<long>());
        // The ceilings stay closed-loop: they measure capacity.
        Assert.Null(report.Ceiling.OfferedRate);
        Assert.Null(report.SiloCeiling?.OfferedRate);
    }

    [Fact]
    public async Task AnOpenLoopCallSentLateIsTimedFromItsDueTime()
    {
        // One caller, one call due every millisecond. The first call is held until the test lets
        // it go, so the calls due meanwhile are sent late. Call k is due at most k ms after the
        // first call started, and none returns before the release: at least 51 of the 101 calls
        // (the first and those due in its first 50 ms) took, from their due times, no less than
        // the hold minus 50 ms.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstStarted = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = CallPhases.RunAsync(101, 1, i =>
        {
            if (i != 0)
            {
                return Task.CompletedTask;
            }

            firstStarted.SetResult(Stopwatch.GetTimestamp());
            return release.Task;
        }, new OfferedRatePacer(1_000), CancellationToken.None);

        var startedAt = await firstStarted.Task;
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var releasedAt = Stopwatch.GetTimestamp();
        release.SetResult();
        var (phase, _) = await running;

        var bound = Stopwatch.GetElapsedTime(startedAt, releasedAt) - TimeSpan.FromMilliseconds(50);
        Assert.Equal(101, phase.Latency.Count);
        Assert.Equal(1_000, phase.OfferedRate);
        Assert.True(phase.Latency.P50 >= (long)bound.TotalMicroseconds, $"p50 {phase.Latency.P50} µs from due times, expected at least {bound.TotalMicroseconds:N0} µs");
        Assert.Equal(101, phase.SendLatency?.Count);
    }

    [Fact]
    public async Task AClosedLoopPhaseHasNoOfferedRate()
    {
        var (phase, latency) = await CallPhases.RunAsync(50, 4, _ => Task.CompletedTask, pacer: null, CancellationToken.None);

        Assert.Equal(50, phase.Calls);
        Assert.Equal(50, latency.TotalCount);
        Assert.Null(phase.OfferedRate);
        Assert.Null(phase.SendLatency);
    }

    [Fact]
    public void ARateThatIsNotPositiveIsRefused()
    {
        Assert.Contains("--rate", InProcessCommand.Problem(Settings(rate: 0)));
        Assert.Contains("--rate", InProcessCommand.Problem(Settings(rate: -5)));
        Assert.Null(InProcessCommand.Problem(Settings(rate: 100)));
    }
}

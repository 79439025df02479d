using Customer360.LoadTest.Engine;

namespace Customer360.LoadTest.Tests;

public sealed class MixedWorkloadCleanTests
{
    private static readonly LatencySummary SomeLatency = new(10, 1, 2, 3, 4, 5, 2);
    private static readonly Dictionary<string, long> NoErrors = [];

    [Fact]
    public void ARunWhoseReadsWatchesAndSegmentsAllAnsweredIsClean()
    {
        var result = new MixedWorkloadResult
        {
            Reads = new ReadResult(100, 10, TimeSpan.FromSeconds(1), SomeLatency, NoErrors),
            Watch = new WatchResult(2, 5, 5, 0, SomeLatency, NoErrors),
            Dashboard = new DashboardResult(["tier:gold"], 5, 5, 5, SomeLatency, NoErrors),
            NaiveReads = new ReadResult(100, 10, TimeSpan.FromSeconds(1), SomeLatency, NoErrors),
        };

        Assert.True(result.Clean);
    }

    [Fact]
    public void AnyFailedCallOrInconsistentNaiveReadMakesTheRunUnclean()
    {
        var failed = new Dictionary<string, long> { ["Unavailable"] = 1 };
        var clean = new MixedWorkloadResult
        {
            Reads = new ReadResult(100, 10, TimeSpan.FromSeconds(1), SomeLatency, NoErrors),
            Watch = new WatchResult(2, 5, 5, 0, SomeLatency, NoErrors),
            Dashboard = new DashboardResult(["tier:gold"], 5, 5, 5, SomeLatency, NoErrors),
            NaiveReads = new ReadResult(100, 10, TimeSpan.FromSeconds(1), SomeLatency, NoErrors),
        };

        Assert.False((clean with { Reads = clean.Reads! with { Errors = failed } }).Clean);
        Assert.False((clean with { Watch = clean.Watch! with { Errors = failed } }).Clean);
        Assert.False((clean with { Dashboard = clean.Dashboard! with { Errors = failed } }).Clean);
        Assert.False((clean with { NaiveReads = clean.NaiveReads! with { Errors = failed } }).Clean);
        Assert.False((clean with { NaiveReadMismatches = 1 }).Clean);
    }
}

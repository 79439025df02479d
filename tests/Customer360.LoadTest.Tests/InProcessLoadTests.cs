using Customer360.LoadTest.InProcess;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// A short in-process load run, as CI runs it: a test of the run and its verification on the
/// real grains and a real store, not of speed.
/// </summary>
public sealed class InProcessLoadTests
{
    [Theory]
    [InlineData("memory", 2, 0)]
    [InlineData("sqlite", 1, 0)]
    // Warm: the customers already hold the warm-up's touchpoints, which the check must count.
    [InlineData("memory", 2, 500)]
    public async Task AShortRunAppliesEveryTouchpointAndVerifiesEveryCustomer(string store, int silos, int warmup)
    {
        var settings = new InProcessSettings
        {
            RunId = "ci-" + Guid.NewGuid().ToString("N")[..8],
            Store = store,
            Silos = silos,
            Touchpoints = 2_000,
            Customers = 200,
            Concurrency = 32,
            Warmup = warmup,
        };
        Assert.Null(InProcessCommand.Problem(settings));

        var report = await InProcessLoad.RunAsync(settings, _ => { }, CancellationToken.None);

        Assert.Equal(2_000, report.Accepted);
        Assert.Equal(0, report.Rejected);
        Assert.Empty(report.Problems);
        Assert.Equal(2_000, report.Engine.Calls);
        Assert.Equal(2_000, report.Engine.Latency.Count);
        Assert.Equal(2_000, report.Ceiling.Calls);
        Assert.True(report.EngineToCeiling > 0);
        Assert.NotNull(report.Verification);
        Assert.True(report.Verification.Passed, string.Join("\n", report.Verification.Samples));

        // The run's in-memory store is let go with its cluster.
        Assert.False(Grains.Storage.MemoryCustomerStore.Holds($"inproc-{settings.RunId}"));
        Assert.Equal(200, report.Verification.CustomersChecked);
        Assert.True(report.Clean);
    }

    [Fact]
    public void SettingsTheStoreCannotServeAreRefused()
    {
        Assert.Contains("--silos 1", InProcessCommand.Problem(new InProcessSettings { RunId = "x", Store = "sqlite", Silos = 2 }));
        Assert.Contains("--postgres", InProcessCommand.Problem(new InProcessSettings { RunId = "x", Store = "postgres" }));
        Assert.Contains("--touchpoints", InProcessCommand.Problem(new InProcessSettings { RunId = "x", Touchpoints = 10, Customers = 20 }));
    }
}

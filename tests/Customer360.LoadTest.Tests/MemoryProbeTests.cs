using Customer360.LoadTest.InProcess;

namespace Customer360.LoadTest.Tests;

/// <summary>The heap is the whole test process's: memory figures are taken with no other test running.</summary>
[CollectionDefinition(nameof(HeapMeasurements), DisableParallelization = true)]
public sealed class HeapMeasurements;

/// <summary>
/// The memory phase of an in-process run, on the real grains: it finds a positive cost per active
/// customer, and a larger one when each customer keeps more recent touchpoints. Relative
/// comparisons only: absolute figures move with the runtime and the machine.
/// </summary>
[Collection(nameof(HeapMeasurements))]
public sealed class MemoryProbeTests
{
    [Fact]
    public async Task AWiderRecentWindowCostsMoreMemoryPerActiveCustomer()
    {
        // The heap is the whole test process's, and what earlier tests left behind (a server
        // still letting go of its buffers, say) can inflate one measurement, never shrink it
        // below what the customers hold. So each window keeps its lowest figure, over up to
        // three rounds, until the two differ as a wider window must.
        const int extraBytesAtLeast = 45 * 25;
        var narrow = double.MaxValue;
        var wide = double.MaxValue;
        var seen = new List<string>();
        for (var round = 0; round < 3 && !(wide - narrow > extraBytesAtLeast); round++)
        {
            var narrowFigures = await MeasureAsync(recentWindow: 5);
            var wideFigures = await MeasureAsync(recentWindow: 50);
            Assert.True(narrowFigures.BytesPerCustomerFullWindow > 0, $"window 5: {narrowFigures.BytesPerCustomerFullWindow:N0} bytes per customer");
            Assert.True(narrowFigures.BytesPerCustomerAsRun > 0, $"as run: {narrowFigures.BytesPerCustomerAsRun:N0} bytes per customer");
            Assert.Equal(5, narrowFigures.RecentWindow);
            Assert.Equal(50, wideFigures.RecentWindow);

            narrow = Math.Min(narrow, narrowFigures.BytesPerCustomerFullWindow);
            wide = Math.Min(wide, wideFigures.BytesPerCustomerFullWindow);
            seen.Add($"window 50: {wideFigures.BytesPerCustomerFullWindow:N0}, window 5: {narrowFigures.BytesPerCustomerFullWindow:N0}");
        }

        // 45 more touchpoints held per customer, each at least its event id (about 30 bytes here)
        // and its event time (8): well over a kilobyte, far more than the measurement's noise.
        Assert.True(wide - narrow > extraBytesAtLeast, $"bytes per customer, by round: {string.Join("; ", seen)}");
    }

    [Fact]
    public void MemoryPhaseSettingsAreChecked()
    {
        Assert.Contains("--memory-customers", InProcessCommand.Problem(new InProcessSettings { RunId = "x", Memory = true, MemoryCustomers = 0 }));
        Assert.Contains("--recent-window", InProcessCommand.Problem(new InProcessSettings { RunId = "x", Memory = true, RecentWindow = 0 }));
        Assert.Null(InProcessCommand.Problem(new InProcessSettings { RunId = "x", Memory = false, MemoryCustomers = 0 }));
    }

    private static async Task<MemoryFigures> MeasureAsync(int recentWindow)
    {
        var settings = new InProcessSettings
        {
            RunId = "mem-" + Guid.NewGuid().ToString("N")[..8],
            Silos = 1,
            Touchpoints = 2_000,
            Customers = 500,
            Concurrency = 32,
            Verify = false,
            Memory = true,
            MemoryCustomers = 500,
            MemoryTouchpoints = 60,
            RecentWindow = recentWindow,
        };
        Assert.Null(InProcessCommand.Problem(settings));

        var report = await InProcessLoad.RunAsync(settings, _ => { }, CancellationToken.None);

        Assert.NotNull(report.Memory);
        Assert.Equal(500, report.Memory.FullWindowCustomers);
        return report.Memory;
    }
}

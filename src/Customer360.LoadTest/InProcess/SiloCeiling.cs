using Customer360.LoadTest.Engine;

namespace Customer360.LoadTest.InProcess;

/// <summary>
/// Measures the in-silo grain-call ceiling: the calls and the concurrency are shared out among
/// one <see cref="ISiloCeilingDriver"/> per silo, which all start together; the rate is all
/// their calls over the longest driver's time. The trivial grains are hash-placed, as customers
/// are, so a driver's calls go to every silo, its own and the others.
/// </summary>
internal static class SiloCeiling
{
    /// <summary>The in-silo ceiling's trivial grains have keys from here, apart from the client ceiling's (0 to customers − 1).</summary>
    public const long KeyOffset = 1L << 40;

    public static async Task<CallPhase> RunAsync(IGrainFactory grains, int silos, int calls, int keys, int concurrency) =>
        Combine(await RunDriversAsync(grains, silos, calls, keys, concurrency));

    /// <summary>Runs every silo's driver at once and returns what each measured.</summary>
    public static Task<SiloCeilingRun[]> RunDriversAsync(IGrainFactory grains, int silos, int calls, int keys, int concurrency)
    {
        var shares = new List<SiloCeilingShare>(silos);
        var first = 0;
        for (var silo = 0; silo < silos; silo++)
        {
            var share = calls / silos + (silo < calls % silos ? 1 : 0);
            var inFlight = Math.Max(1, concurrency / silos + (silo < concurrency % silos ? 1 : 0));
            shares.Add(new SiloCeilingShare(KeyOffset, keys, first, share, inFlight));
            first += share;
        }

        return Task.WhenAll(shares.Select((share, silo) => grains.GetGrain<ISiloCeilingDriver>(silo).DriveAsync(share)));
    }

    /// <summary>All drivers' calls over the longest driver's time, and their latencies merged.</summary>
    public static CallPhase Combine(IReadOnlyCollection<SiloCeilingRun> runs)
    {
        var latency = LatencySummary.CreateHistogram();
        foreach (var run in runs)
        {
            latency.Add(run.Latency());
        }

        return new CallPhase(runs.Sum(r => r.Calls), runs.Max(r => r.Elapsed), LatencySummary.From(latency));
    }
}

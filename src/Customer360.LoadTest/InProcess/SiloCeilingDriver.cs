using HdrHistogram;

namespace Customer360.LoadTest.InProcess;

/// <summary>
/// The in-silo grain-call ceiling: one driver per silo (<see cref="PerSiloPlacement"/>, keys 0 to
/// silos − 1) makes its share of the calls to trivial grains from inside the silo, so that the
/// figure is the grain-call rate of the cluster itself, without the cluster client's gateway.
/// </summary>
[Alias("c360.load.ISiloCeilingDriver")]
public interface ISiloCeilingDriver : IGrainWithIntegerKey
{
    /// <summary>Makes <see cref="SiloCeilingShare.Calls"/> calls to trivial grains and returns what they measured.</summary>
    [Alias("Drive")]
    [ResponseTimeout("01:00:00")]
    Task<SiloCeilingRun> DriveAsync(SiloCeilingShare share);
}

/// <summary>One driver's share: calls [FirstCall, FirstCall + Calls), call i going to trivial grain KeyOffset + i mod Keys.</summary>
[GenerateSerializer, Immutable, Alias("c360.load.SiloCeilingShare")]
public sealed record SiloCeilingShare(
    [property: Id(0)] long KeyOffset,
    [property: Id(1)] int Keys,
    [property: Id(2)] int FirstCall,
    [property: Id(3)] int Calls,
    [property: Id(4)] int Concurrency);

/// <summary>What one driver measured: its silo, its calls, how long they took, and their latency as histogram buckets (µs, count).</summary>
[GenerateSerializer, Immutable, Alias("c360.load.SiloCeilingRun")]
public sealed record SiloCeilingRun(
    [property: Id(0)] string Silo,
    [property: Id(1)] long Calls,
    [property: Id(2)] TimeSpan Elapsed,
    [property: Id(3)] long[] LatencyValues,
    [property: Id(4)] long[] LatencyCounts)
{
    /// <summary>The latency histogram as the driver recorded it.</summary>
    internal LongHistogram Latency()
    {
        var histogram = Engine.LatencySummary.CreateHistogram();
        for (var i = 0; i < LatencyValues.Length; i++)
        {
            histogram.RecordValueWithCount(LatencyValues[i], LatencyCounts[i]);
        }

        return histogram;
    }
}

[PerSiloPlacement]
public sealed class SiloCeilingDriverGrain(IGrainFactory grains, ILocalSiloDetails silo) : Grain, ISiloCeilingDriver
{
    public async Task<SiloCeilingRun> DriveAsync(SiloCeilingShare share)
    {
        // On the thread pool, as the cluster client's calls are, not on this activation's own
        // turn-based scheduler, which would put every reply through one activation.
        var (phase, histogram) = await Task.Run(() => CallPhases.RunAsync(
            share.Calls,
            share.Concurrency,
            i =>
            {
                var call = share.FirstCall + i;
                return grains.GetGrain<IEchoGrain>(share.KeyOffset + (call % share.Keys)).EchoAsync(call);
            },
            pacer: null,
            CancellationToken.None));

        var buckets = histogram.RecordedValues().Select(v => (v.ValueIteratedTo, v.CountAtValueIteratedTo)).ToArray();
        return new SiloCeilingRun(silo.SiloAddress.ToParsableString(), phase.Calls, phase.Elapsed, [.. buckets.Select(b => b.ValueIteratedTo)], [.. buckets.Select(b => b.CountAtValueIteratedTo)]);
    }
}

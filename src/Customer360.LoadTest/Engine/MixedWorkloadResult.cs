namespace Customer360.LoadTest.Engine;

/// <summary>What readers, watchers and a dashboard saw while the tills wrote, and the naive design's reads next to them.</summary>
internal sealed record MixedWorkloadResult
{
    /// <summary><c>GetCustomer</c> during the engine phase; null when not asked for.</summary>
    public ReadResult? Reads { get; init; }

    /// <summary><c>WatchCustomer</c> propagation; null when not asked for.</summary>
    public WatchResult? Watch { get; init; }

    /// <summary><c>WatchSegment</c> staleness; null when not asked for.</summary>
    public DashboardResult? Dashboard { get; init; }

    /// <summary>The naive design's reads during its writes; null when baselines or reads were skipped.</summary>
    public ReadResult? NaiveReads { get; init; }

    /// <summary>The naive reads that came back inconsistent: fewer or more touchpoint rows than the customer's count allows.</summary>
    public long NaiveReadMismatches { get; init; }

    /// <summary>
    /// No call of the engine's readers, watchers or dashboard failed, and every naive read was
    /// consistent. A failed read is a failure a call-centre agent would see, so it fails the run
    /// as a lost touchpoint does.
    /// </summary>
    public bool Clean =>
        (Reads?.ErrorCount ?? 0) == 0
        && (Watch?.Errors.Values.Sum() ?? 0) == 0
        && (Dashboard?.Errors.Values.Sum() ?? 0) == 0
        && (NaiveReads?.ErrorCount ?? 0) == 0
        && NaiveReadMismatches == 0;

    /// <summary>The engine's read p99 over the naive design's read p99; below 1 the engine reads faster.</summary>
    public double? ReadP99ToNaive =>
        Reads is { Latency.Count: > 0 } reads && NaiveReads is { Latency: { Count: > 0, P99: > 0 } } naive
            ? (double)reads.Latency.P99 / naive.Latency.P99
            : null;
}

/// <summary>Open-loop reads at a fixed rate, latency from each call's due time.</summary>
/// <param name="OfferedPerSecond">The rate asked for.</param>
/// <param name="Started">Calls started.</param>
/// <param name="Elapsed">From the first call's due time to the end of the phase.</param>
/// <param name="Latency">Successful calls, from due time to answer.</param>
/// <param name="Errors">Failed calls by status code.</param>
internal sealed record ReadResult(double OfferedPerSecond, long Started, TimeSpan Elapsed, LatencySummary Latency, IReadOnlyDictionary<string, long> Errors)
{
    public long ErrorCount => Errors.Values.Sum();

    /// <summary>Recent touchpoints each view carried on average; null when not counted (the naive design's reads).</summary>
    public double? TouchpointsPerView { get; init; }

    /// <summary>Calls started per second, the rate really offered.</summary>
    public double StartedPerSecond => Elapsed > TimeSpan.Zero ? Started / Elapsed.TotalSeconds : 0;
}

/// <summary>Time from an ack to the watcher of that customer receiving a view at least that new.</summary>
/// <param name="Watchers">Customers watched, one stream each.</param>
/// <param name="Views">Views received, the first of each stream included.</param>
/// <param name="Acks">Accepted acks for watched customers.</param>
/// <param name="Unmatched">Of those, acks no view had answered when the watchers stopped.</param>
internal sealed record WatchResult(int Watchers, long Views, long Acks, long Unmatched, LatencySummary Propagation, IReadOnlyDictionary<string, long> Errors)
{
    public long Matched => Propagation.Count;

    /// <summary>Views received through each address given, in order.</summary>
    public IReadOnlyList<long> ViewsByEndpoint { get; init; } = [];
}

/// <summary>Time from an ack to the first segment update that reflects it.</summary>
/// <param name="Segments">The segments watched.</param>
/// <param name="Updates">Segment updates received, the first of each stream included.</param>
/// <param name="Acks">Accepted acks in the engine phase.</param>
/// <param name="VisibleAcks">Of those, acks that changed net spend, which an update can show.</param>
internal sealed record DashboardResult(IReadOnlyList<string> Segments, long Updates, long Acks, long VisibleAcks, LatencySummary Staleness, IReadOnlyDictionary<string, long> Errors)
{
    public long Matched => Staleness.Count;

    /// <summary>Segment updates received through each address given, in order.</summary>
    public IReadOnlyList<long> UpdatesByEndpoint { get; init; } = [];

    /// <summary>The share of all acks matched to an update.</summary>
    public double Coverage => Acks > 0 ? (double)Matched / Acks : 0;
}

using Customer360.LoadTest.Baselines;
using Customer360.LoadTest.Engine;

namespace Customer360.LoadTest.Reporting;

/// <summary>
/// The outcome of one <c>c360-load ingest</c> run. Absolute rates depend on the machine and on
/// whatever else it was doing; the ratios between phases of the same run are what compare.
/// </summary>
internal sealed record IngestReport
{
    public required string RunId { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required string Server { get; init; }

    /// <summary>What the server stored into, as given with <c>--store-label</c>.</summary>
    public required string StoreLabel { get; init; }

    public required MachineInfo Machine { get; init; }

    public required int Touchpoints { get; init; }

    public required int Customers { get; init; }

    public required int Seed { get; init; }

    public required double AveragePayloadBytes { get; init; }

    public required int Warmup { get; init; }

    /// <summary>Whether the warm-up went to the measured customers (returning) or to customers of its own (new).</summary>
    public bool ReturningCustomers { get; init; }

    public required EngineResult Engine { get; init; }

    /// <summary>Baseline (a); null when baselines were skipped.</summary>
    public required BaselineResult? Copy { get; init; }

    /// <summary>Baseline (b); null when baselines were skipped.</summary>
    public required BaselineResult? Naive { get; init; }

    /// <summary>The check that nothing acknowledged was lost or doubled; null when skipped.</summary>
    public VerificationResult? Verification { get; init; }

    /// <summary>Reads, watchers and the dashboard during the engine phase; null when none was asked for.</summary>
    public MixedWorkloadResult? Mixed { get; init; }

    /// <summary>The gRPC echo ceiling measured in the same run (<c>--echo-ceiling</c>); null when not asked for.</summary>
    public Ceiling.EchoCeilingResult? EchoCeiling { get; init; }

    /// <summary>Where the machine's CPU went during the measured engine phase (<c>--cpu</c>); null when not asked for.</summary>
    public CpuUse? EngineCpu { get; init; }

    /// <summary>Engine rate over the gRPC echo rate with the same streams and window: the share of a bare gRPC stream's speed the engine delivers.</summary>
    public double? EngineToEchoCeiling => EchoCeiling is { EchoedPerSecond: > 0 } echo ? Engine.AcknowledgedPerSecond / echo.EchoedPerSecond : null;

    /// <summary>Engine rate over the binary COPY rate: the share of the database's raw write speed the engine delivers.</summary>
    public double? EngineToCopy => Ratio(Copy);

    /// <summary>Engine rate over the naive design's rate: how much the engine gains over one transaction per touchpoint.</summary>
    public double? EngineToNaive => Ratio(Naive);

    private double? Ratio(BaselineResult? baseline) =>
        baseline is { RowsPerSecond: > 0 } ? Engine.AcknowledgedPerSecond / baseline.RowsPerSecond : null;
}

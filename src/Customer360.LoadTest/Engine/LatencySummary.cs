using System.Diagnostics;
using System.Text.Json.Nodes;
using HdrHistogram;

namespace Customer360.LoadTest.Engine;

/// <summary>Percentiles of ack latency, in microseconds.</summary>
internal sealed record LatencySummary(long Count, long P50, long P90, long P99, long P999, long Max, double Mean)
{
    /// <summary>Latencies above an hour are recorded as an hour; nothing in a benchmark run waits that long.</summary>
    public const long HighestMicroseconds = 3_600_000_000;

    /// <summary>A histogram in microseconds with three significant digits (0.1 % resolution).</summary>
    public static LongHistogram CreateHistogram() => new(HighestMicroseconds, 3);

    /// <summary>Records the time between two <see cref="Stopwatch"/> timestamps.</summary>
    public static void Record(LongHistogram histogram, long from, long to)
    {
        var microseconds = (long)Stopwatch.GetElapsedTime(from, to).TotalMicroseconds;
        histogram.RecordValue(Math.Clamp(microseconds, 0, HighestMicroseconds));
    }

    public static LatencySummary From(HistogramBase histogram) => histogram.TotalCount == 0
        ? new LatencySummary(0, 0, 0, 0, 0, 0, 0)
        : new LatencySummary(
            histogram.TotalCount,
            histogram.GetValueAtPercentile(50),
            histogram.GetValueAtPercentile(90),
            histogram.GetValueAtPercentile(99),
            histogram.GetValueAtPercentile(99.9),
            histogram.GetMaxValue(),
            histogram.GetMean());

    /// <summary>As the JSON reports write it: count and percentiles in microseconds.</summary>
    public JsonObject ToJson() => new()
    {
        ["count"] = Count,
        ["p50"] = P50,
        ["p90"] = P90,
        ["p99"] = P99,
        ["p999"] = P999,
        ["max"] = Max,
        ["mean"] = Math.Round(Mean, 1),
    };
}

using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Customer360.LoadTest.Baselines;
using Customer360.LoadTest.Engine;

namespace Customer360.LoadTest.Reporting;

/// <summary>
/// Writes an <see cref="IngestReport"/> as JSON, for BENCHMARKS.md and for comparing runs by
/// script. Rates are per second, durations in seconds, latencies in microseconds.
/// </summary>
internal static class ReportJson
{
    // A file for people and scripts, never for a web page: '+' in a timestamp stays '+'.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(FileInfo file, IngestReport report, CancellationToken cancellationToken)
    {
        file.Directory?.Create();
        await File.WriteAllTextAsync(file.FullName, ToJson(report).ToJsonString(Indented) + "\n", cancellationToken);
    }

    public static JsonObject ToJson(IngestReport report) => new()
    {
        ["runId"] = report.RunId,
        ["startedAt"] = report.StartedAt.ToString("O"),
        ["server"] = report.Server,
        ["store"] = report.StoreLabel,
        ["machine"] = report.Machine.ToJson(),
        ["workload"] = new JsonObject
        {
            ["touchpoints"] = report.Touchpoints,
            ["customers"] = report.Customers,
            ["seed"] = report.Seed,
            ["averagePayloadBytes"] = Math.Round(report.AveragePayloadBytes, 1),
            ["engineWarmup"] = report.Warmup,
            ["returningCustomers"] = report.ReturningCustomers,
        },
        ["engine"] = Engine(report.Engine),
        ["verification"] = report.Verification is { } verification
            ? new JsonObject
            {
                ["passed"] = verification.Passed,
                ["customersChecked"] = verification.CustomersChecked,
                ["mismatches"] = verification.Mismatches,
                ["lost"] = verification.Dropped,
                ["doubled"] = verification.Doubled,
                ["samples"] = new JsonArray([.. verification.Samples.Select(s => (JsonNode)s)]),
            }
            : null,
        ["copyBaseline"] = Baseline(report.Copy),
        ["naiveBaseline"] = Baseline(report.Naive),
        ["echoCeiling"] = report.EchoCeiling is { } echo ? Ceiling.EchoCeilingReport.ToJson(echo) : null,
        ["ratios"] = new JsonObject
        {
            ["engineToCopy"] = Round(report.EngineToCopy),
            ["engineToNaive"] = Round(report.EngineToNaive),
            ["engineToEchoCeiling"] = Round(report.EngineToEchoCeiling),
        },
        ["mixedWorkload"] = report.Mixed is { } mixed ? MixedWorkloadReport.ToJson(mixed) : null,
        ["engineCpu"] = report.EngineCpu?.ToJson(),
    };

    private static JsonObject Engine(EngineResult engine) => new()
    {
        ["streams"] = engine.Streams,
        ["window"] = engine.Window,
        ["batch"] = engine.Batch,
        ["messages"] = engine.Messages,
        ["offeredRate"] = engine.OfferedRate,
        ["acknowledgedPerSecond"] = Math.Round(engine.AcknowledgedPerSecond, 1),
        ["elapsedSeconds"] = Math.Round(engine.Elapsed.TotalSeconds, 3),
        ["sent"] = engine.Sent,
        ["accepted"] = engine.Accepted,
        ["duplicate"] = engine.Duplicate,
        ["rejected"] = engine.Rejected,
        ["unacknowledged"] = engine.Unacknowledged,
        ["refusalsWaitedOut"] = engine.RefusalsWaitedOut,
        ["clean"] = engine.Clean,
        ["ackLatencyMicroseconds"] = engine.AckLatency.ToJson(),
        ["scheduledLatencyMicroseconds"] = engine.ScheduledLatency is { } scheduled ? scheduled.ToJson() : null,
        ["problems"] = new JsonArray([.. engine.Problems.Select(p => (JsonNode?)JsonValue.Create(p))]),
        ["acknowledgedByEndpoint"] = new JsonArray([.. engine.AcknowledgedByEndpoint.Select(n => (JsonNode?)JsonValue.Create(n))]),
    };

    private static JsonObject? Baseline(BaselineResult? baseline) => baseline is null
        ? null
        : new JsonObject
        {
            ["method"] = baseline.Method,
            ["rows"] = baseline.Rows,
            ["elapsedSeconds"] = Math.Round(baseline.Elapsed.TotalSeconds, 3),
            ["rowsPerSecond"] = Math.Round(baseline.RowsPerSecond, 1),
        };


    private static double? Round(double? ratio) => ratio is { } value ? Math.Round(value, 4) : null;
}

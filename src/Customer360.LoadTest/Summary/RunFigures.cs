using System.Text.Json.Nodes;

namespace Customer360.LoadTest.Summary;

/// <summary>
/// The headline figures of one run, read back from the JSON file <c>ingest</c> or <c>inproc</c>
/// wrote with <c>--json</c>. Runs of the same setup share a <see cref="Setup"/>, so their
/// figures can be summarised together.
/// </summary>
internal sealed record RunFigures(string File, string Setup, IReadOnlyList<(string Measure, double Value)> Figures, bool Verified)
{
    /// <summary>Reads one report; throws <see cref="FormatException"/> for a file that is neither kind.</summary>
    public static RunFigures Read(string file, JsonNode report)
    {
        var figures = new List<(string, double)>();
        void Add(string measure, JsonNode? value, double scale = 1)
        {
            if (Number(value) is { } x)
            {
                figures.Add((measure, x * scale));
            }
        }

        if (report["engine"]?["acknowledgedPerSecond"] is not null)
        {
            // c360-load ingest: the engine over gRPC, next to the PostgreSQL baselines.
            var engine = report["engine"]!;
            Add("engine touchpoints/s", engine["acknowledgedPerSecond"]);
            Add("(a) binary COPY rows/s", report["copyBaseline"]?["rowsPerSecond"]);
            Add("(b) naive rows/s", report["naiveBaseline"]?["rowsPerSecond"]);
            Add("engine / (a)", report["ratios"]?["engineToCopy"]);
            Add("engine / (b)", report["ratios"]?["engineToNaive"]);
            Add("echo ceiling touchpoints/s", report["echoCeiling"]?["echoedPerSecond"]);
            Add("engine / echo ceiling", report["ratios"]?["engineToEchoCeiling"]);
            Add("ack p50 ms", engine["ackLatencyMicroseconds"]?["p50"], 0.001);
            Add("ack p99 ms", engine["ackLatencyMicroseconds"]?["p99"], 0.001);
            var cpu = report["engineCpu"];
            Add("server CPU µs/touchpoint", cpu?["microsecondsPerTouchpoint"]?["server"]);
            Add("PostgreSQL CPU µs/touchpoint", cpu?["microsecondsPerTouchpoint"]?["postgres"]);
            Add("load tool CPU µs/touchpoint", cpu?["microsecondsPerTouchpoint"]?["loadTool"]);
            Add("machine busy %", cpu?["machineBusyShare"], 100);
            var shape = new List<string>();
            if (Number(engine["offeredRate"]) is { } offered)
            {
                shape.Add($"offered {offered:N0}/s");
            }

            if (Number(engine["batch"]) is { } perMessage and > 1)
            {
                shape.Add($"up to {perMessage} per message");
            }

            if (report["workload"]?["returningCustomers"]?.GetValue<bool>() == true)
            {
                shape.Add("returning customers");
            }

            MixedWorkloadFigures.Read(report["mixedWorkload"], Add, shape);

            var setup = $"gRPC ingest, {report["store"]?.GetValue<string>() ?? "unknown store"}" + (shape.Count > 0 ? $" ({string.Join(", ", shape)})" : string.Empty);
            return new RunFigures(file, setup, figures, report["verification"]?["passed"]?.GetValue<bool>() ?? false);
        }

        if (report["engineToCeiling"] is not null)
        {
            // c360-load inproc: the engine on an in-process cluster, next to its grain-call ceiling.
            Add("engine touchpoints/s", report["engine"]?["perSecond"]);
            Add("ceiling calls/s", report["ceiling"]?["perSecond"]);
            Add("engine / ceiling", report["engineToCeiling"]);
            Add("silo ceiling calls/s", report["siloCeiling"]?["perSecond"]);
            Add("engine / silo ceiling", report["ratios"]?["engineToSiloCeiling"]);
            Add("engine p99 ms", report["engine"]?["p99Microseconds"], 0.001);
            Add("KB per active customer, windows filled", report["memory"]?["bytesPerCustomerFullWindow"], 1 / 1024.0);
            Add("KB per active customer, as run", report["memory"]?["bytesPerCustomerAsRun"], 1 / 1024.0);
            var warm = Number(report["warmup"]) is > 0 ? "warm" : "cold";
            var open = Number(report["engine"]?["offeredRate"]) is { } rate ? $", offered {rate:N0}/s" : string.Empty;
            var setup = $"in-process, {report["silos"]} silo(s), {report["store"]} store, {warm}{open}";
            return new RunFigures(file, setup, figures, report["verificationPassed"]?.GetValue<bool>() ?? false);
        }

        throw new FormatException($"{file}: not a c360-load ingest or inproc report");
    }

    /// <summary>A number however it is held: parsed from a file, or as the report built it (long, int, double).</summary>
    private static double? Number(JsonNode? node) => node is not JsonValue value ? null
        : value.TryGetValue<double>(out var d) ? d
        : value.TryGetValue<long>(out var l) ? l
        : value.TryGetValue<int>(out var i) ? i
        : null;
}

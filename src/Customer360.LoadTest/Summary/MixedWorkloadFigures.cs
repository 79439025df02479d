using System.Text.Json.Nodes;

namespace Customer360.LoadTest.Summary;

/// <summary>The mixed-workload figures of an ingest report, for <c>summarize</c>: read, propagation and staleness p99, and the read ratio.</summary>
internal static class MixedWorkloadFigures
{
    /// <summary>
    /// Adds the figures of <paramref name="mixed"/> (the report's <c>mixedWorkload</c>, if any) and
    /// names what ran next to the tills in <paramref name="shape"/>, so that runs with and without
    /// readers are never summarised together.
    /// </summary>
    public static void Read(JsonNode? mixed, Action<string, JsonNode?, double> add, List<string> shape)
    {
        if (mixed is null)
        {
            return;
        }

        if (mixed["reads"] is { } reads)
        {
            shape.Add($"reads {reads["offeredPerSecond"]}/s");
            add("GetCustomer p99 ms", reads["latencyMicroseconds"]?["p99"], 0.001);
            add("(b) naive read p99 ms", mixed["naiveReads"]?["latencyMicroseconds"]?["p99"], 0.001);
            add("read p99 engine / (b)", mixed["readP99ToNaive"], 1);
        }

        if (mixed["watch"] is { } watch)
        {
            shape.Add($"{watch["watchers"]} watchers");
            add("watch propagation p99 ms", watch["propagationMicroseconds"]?["p99"], 0.001);
        }

        if (mixed["dashboard"] is { } dashboard)
        {
            shape.Add("dashboard");
            add("segment staleness p99 ms", dashboard["stalenessMicroseconds"]?["p99"], 0.001);
            add("staleness coverage", dashboard["coverage"], 1);
        }
    }
}

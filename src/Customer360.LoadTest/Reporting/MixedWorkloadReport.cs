using System.Globalization;
using System.Text.Json.Nodes;
using Customer360.LoadTest.Engine;
using Spectre.Console;

namespace Customer360.LoadTest.Reporting;

/// <summary>
/// The mixed-workload part of an ingest report: per operation (GetCustomer, the naive design's
/// read, watch propagation, segment staleness) the latency percentiles and the errors by status
/// code, how many acks the watchers and the dashboard could match, and the engine's read p99
/// over the naive design's. Latencies in JSON are in microseconds, as elsewhere in the report.
/// </summary>
internal static class MixedWorkloadReport
{
    public static void Write(IAnsiConsole console, MixedWorkloadResult mixed)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("during ingestion (ms)")
            .AddColumn("operation")
            .AddColumn(new TableColumn("count").RightAligned())
            .AddColumn(new TableColumn("p50").RightAligned())
            .AddColumn(new TableColumn("p90").RightAligned())
            .AddColumn(new TableColumn("p99").RightAligned())
            .AddColumn(new TableColumn("p99.9").RightAligned())
            .AddColumn(new TableColumn("max").RightAligned())
            .AddColumn("errors / matched");
        if (mixed.Reads is { } reads)
        {
            AddRow(table, $"engine GetCustomer, {reads.OfferedPerSecond:N0}/s", reads.Latency, Errors(reads.Errors));
        }

        if (mixed.NaiveReads is { } naive)
        {
            AddRow(table, $"(b) naive read (row + 50 latest), {naive.OfferedPerSecond:N0}/s", naive.Latency, Errors(naive.Errors));
        }

        if (mixed.Watch is { } watch)
        {
            AddRow(table, $"watch propagation, {watch.Watchers:N0} watcher(s)", watch.Propagation,
                $"{watch.Matched:N0} of {watch.Acks:N0} acks matched; {Errors(watch.Errors)}");
        }

        if (mixed.Dashboard is { } dashboard)
        {
            AddRow(table, $"segment staleness, {dashboard.Segments.Count} segments", dashboard.Staleness,
                $"{dashboard.Matched:N0} of {dashboard.Acks:N0} acks matched ({dashboard.Coverage.ToString("P1", CultureInfo.InvariantCulture)}); {Errors(dashboard.Errors)}");
        }

        console.Write(table);
        console.MarkupLine("Reads from each call's due time (open loop); propagation from an ack to the watcher's view at least that new; staleness from an ack to the first segment update showing it.");
        if (mixed.ReadP99ToNaive is { } ratio)
        {
            console.MarkupLineInterpolated($"Engine read p99 / naive read p99: [bold]{ratio.ToString("N2", CultureInfo.InvariantCulture)}[/] (below 1: the engine reads faster under its own writes)");
        }

        if (mixed.Reads is { } offered && offered.Elapsed > TimeSpan.Zero)
        {
            var history = offered.TouchpointsPerView is { } perView ? $"; {perView.ToString("N1", CultureInfo.InvariantCulture)} recent touchpoints per view" : string.Empty;
            console.MarkupLineInterpolated($"Engine reads started: {offered.Started:N0} in {offered.Elapsed.TotalSeconds:N2} s ({offered.StartedPerSecond:N0}/s){history}");
        }

        if (mixed.Dashboard is { } seen)
        {
            console.MarkupLineInterpolated(
                $"Dashboard: {seen.Updates:N0} segment updates; {seen.VisibleAcks:N0} acks changed net spend, the only ones an update can show, and only for a segment's top {SegmentDashboard.TopMembers} members");
        }

        if (mixed.NaiveReadMismatches > 0)
        {
            console.MarkupLineInterpolated($"[red]problem:[/] {mixed.NaiveReadMismatches:N0} naive reads returned touchpoint rows that disagree with the customer's count");
        }

        if (!mixed.Clean)
        {
            console.MarkupLine("[red bold]Some reads, watches or segment updates failed (see the errors above); the run fails.[/]");
        }
    }

    public static JsonObject ToJson(MixedWorkloadResult mixed) => new()
    {
        ["reads"] = mixed.Reads is { } reads ? Read(reads) : null,
        ["naiveReads"] = mixed.NaiveReads is { } naive ? Read(naive) : null,
        ["naiveReadMismatches"] = mixed.NaiveReadMismatches,
        ["readP99ToNaive"] = mixed.ReadP99ToNaive is { } ratio ? Math.Round(ratio, 4) : null,
        ["watch"] = mixed.Watch is { } watch
            ? new JsonObject
            {
                ["watchers"] = watch.Watchers,
                ["views"] = watch.Views,
                ["acks"] = watch.Acks,
                ["matched"] = watch.Matched,
                ["unmatched"] = watch.Unmatched,
                ["propagationMicroseconds"] = watch.Propagation.ToJson(),
                ["viewsByEndpoint"] = new JsonArray([.. watch.ViewsByEndpoint.Select(v => (JsonNode?)JsonValue.Create(v))]),
                ["errors"] = ErrorsJson(watch.Errors),
            }
            : null,
        ["dashboard"] = mixed.Dashboard is { } dashboard
            ? new JsonObject
            {
                ["segments"] = new JsonArray([.. dashboard.Segments.Select(s => (JsonNode?)JsonValue.Create(s))]),
                ["updates"] = dashboard.Updates,
                ["acks"] = dashboard.Acks,
                ["netSpendAcks"] = dashboard.VisibleAcks,
                ["matched"] = dashboard.Matched,
                ["coverage"] = Math.Round(dashboard.Coverage, 4),
                ["stalenessMicroseconds"] = dashboard.Staleness.ToJson(),
                ["updatesByEndpoint"] = new JsonArray([.. dashboard.UpdatesByEndpoint.Select(v => (JsonNode?)JsonValue.Create(v))]),
                ["errors"] = ErrorsJson(dashboard.Errors),
            }
            : null,
    };

    private static JsonObject Read(ReadResult reads) => new()
    {
        ["offeredPerSecond"] = reads.OfferedPerSecond,
        ["started"] = reads.Started,
        ["startedPerSecond"] = Math.Round(reads.StartedPerSecond, 1),
        ["elapsedSeconds"] = Math.Round(reads.Elapsed.TotalSeconds, 3),
        ["latencyMicroseconds"] = reads.Latency.ToJson(),
        ["errors"] = ErrorsJson(reads.Errors),
        ["recentTouchpointsPerView"] = reads.TouchpointsPerView is { } perView ? Math.Round(perView, 2) : null,
    };


    private static JsonObject ErrorsJson(IReadOnlyDictionary<string, long> errors) =>
        new(errors.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value))));

    private static string Errors(IReadOnlyDictionary<string, long> errors) =>
        errors.Count == 0 ? "no errors" : string.Join(", ", errors.Select(e => $"{e.Key}: {e.Value:N0}"));

    private static void AddRow(Table table, string operation, LatencySummary summary, string note) =>
        table.AddRow(
            new Text(operation),
            new Text(summary.Count.ToString("N0", CultureInfo.InvariantCulture)),
            new Text(Ms(summary.P50)),
            new Text(Ms(summary.P90)),
            new Markup($"[bold]{Ms(summary.P99)}[/]"),
            new Text(Ms(summary.P999)),
            new Text(Ms(summary.Max)),
            new Text(note));

    private static string Ms(long microseconds) => (microseconds / 1000.0).ToString("N2", CultureInfo.InvariantCulture);
}

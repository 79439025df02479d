using System.Globalization;
using System.Text.Json.Nodes;
using Customer360.LoadTest.Engine;
using Spectre.Console;

namespace Customer360.LoadTest.Ceiling;

/// <summary>The gRPC echo ceiling as the reports print it and write it to JSON (rates per second, latencies in microseconds).</summary>
internal static class EchoCeilingReport
{
    /// <summary>What the ceiling's streams did, in a few words, for a table's "how" column.</summary>
    public static string How(EchoCeilingResult echo) =>
        $"{echo.Streams} streams x {echo.Window} in flight{(echo.Batch > 1 ? $", up to {echo.Batch} per frame" : string.Empty)}, "
        + $"{echo.AverageMessageBytes:N0}-byte touchpoints; echoed in this process";

    /// <summary>The report of <c>c360-load ceiling grpc</c>.</summary>
    public static void Write(IAnsiConsole console, EchoCeilingResult echo)
    {
        console.Write(new Rule("[bold]gRPC ceiling[/] bidirectional stream echo on loopback").LeftJustified());
        console.MarkupLineInterpolated($"Rate:    [bold]{echo.EchoedPerSecond:N0}[/] touchpoints/s echoed ({echo.Echoed:N0} of {echo.Sent:N0} in {echo.Messages:N0} frames, {echo.Elapsed.TotalSeconds:N2} s, first send to last echo)");
        console.MarkupLineInterpolated($"Streams: {How(echo)}{(echo.OfferedRate is { } rate ? $"; offered {rate:N0}/s" : string.Empty)}");
        var table = new Table().Border(TableBorder.Rounded).Title("echo latency (ms)")
            .AddColumn("measured from")
            .AddColumn(new TableColumn("p50").RightAligned()).AddColumn(new TableColumn("p90").RightAligned())
            .AddColumn(new TableColumn("p99").RightAligned()).AddColumn(new TableColumn("p99.9").RightAligned())
            .AddColumn(new TableColumn("max").RightAligned()).AddColumn(new TableColumn("mean").RightAligned());
        AddLatency(table, "send", echo.Latency);
        if (echo.ScheduledLatency is { } scheduled)
        {
            AddLatency(table, "due time at the offered rate", scheduled);
        }

        console.Write(table);
        WriteProblems(console, echo);
    }

    /// <summary>Broken streams and wrong echoes, and a verdict when there are any.</summary>
    public static void WriteProblems(IAnsiConsole console, EchoCeilingResult echo)
    {
        foreach (var problem in echo.Problems)
        {
            console.MarkupLineInterpolated($"[red]echo problem:[/] {problem}");
        }

        if (!echo.Clean)
        {
            console.MarkupLine("[red bold]Not every touchpoint came back once and intact; the echo ceiling is not valid.[/]");
        }
    }

    public static JsonObject ToJson(EchoCeilingResult echo) => new()
    {
        ["streams"] = echo.Streams,
        ["window"] = echo.Window,
        ["batch"] = echo.Batch,
        ["messages"] = echo.Messages,
        ["averageMessageBytes"] = Math.Round(echo.AverageMessageBytes, 1),
        ["offeredRate"] = echo.OfferedRate,
        ["echoedPerSecond"] = Math.Round(echo.EchoedPerSecond, 1),
        ["elapsedSeconds"] = Math.Round(echo.Elapsed.TotalSeconds, 3),
        ["sent"] = echo.Sent,
        ["echoed"] = echo.Echoed,
        ["clean"] = echo.Clean,
        ["latencyMicroseconds"] = echo.Latency.ToJson(),
        ["scheduledLatencyMicroseconds"] = echo.ScheduledLatency is { } scheduled ? scheduled.ToJson() : null,
        ["problems"] = new JsonArray([.. echo.Problems.Select(p => (JsonNode?)JsonValue.Create(p))]),
    };


    private static void AddLatency(Table table, string from, LatencySummary summary) =>
        table.AddRow(
            from,
            Milliseconds(summary.P50),
            Milliseconds(summary.P90),
            Milliseconds(summary.P99),
            Milliseconds(summary.P999),
            Milliseconds(summary.Max),
            (summary.Mean / 1000).ToString("N2", CultureInfo.InvariantCulture));

    private static string Milliseconds(long microseconds) => (microseconds / 1000.0).ToString("N2", CultureInfo.InvariantCulture);
}

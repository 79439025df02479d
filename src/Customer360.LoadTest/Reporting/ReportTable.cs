using System.Globalization;
using Customer360.LoadTest.Baselines;
using Customer360.LoadTest.Engine;
using Spectre.Console;

namespace Customer360.LoadTest.Reporting;

/// <summary>Prints an <see cref="IngestReport"/> for people: rates and ratios first, then ack latency, then what went wrong.</summary>
internal static class ReportTable
{
    public static void Write(IAnsiConsole console, IngestReport report)
    {
        var engine = report.Engine;
        console.Write(new Rule($"[bold]Durable ingestion[/] run {Markup.Escape(report.RunId)}").LeftJustified());
        console.MarkupLineInterpolated($"Server store: [bold]{report.StoreLabel}[/] at {report.Server}");
        console.MarkupLineInterpolated($"Machine:      {report.Machine}; client and server share it");
        console.MarkupLineInterpolated(
            $"Workload:     {report.Touchpoints:N0} touchpoints over {report.Customers:N0} customers, seed {report.Seed}, average payload {report.AveragePayloadBytes:N0} bytes; engine warm-up {report.Warmup:N0}{(report.ReturningCustomers ? " to the same customers (returning)" : " to other customers (all new)")}");
        console.WriteLine();

        var rates = new Table().Border(TableBorder.Rounded)
            .AddColumn("path")
            .AddColumn(new TableColumn("touchpoints/s").RightAligned())
            .AddColumn(new TableColumn("touchpoints").RightAligned())
            .AddColumn("how");
        var offered = engine.OfferedRate is { } rate ? $", offered {rate:N0}/s" : string.Empty;
        rates.AddRow(
            new Text($"engine: gRPC {TouchpointStream.RpcFor(engine.Batch)}"),
            new Markup($"[bold]{engine.AcknowledgedPerSecond:N0}[/]"),
            new Text($"{engine.Accepted + engine.Duplicate:N0}"),
            new Text($"{engine.Streams} streams x {engine.Window} in flight{Batching(engine)}{offered}; ack after commit"));
        AddBaseline(rates, "(a) PostgreSQL binary COPY", report.Copy, report.Touchpoints);
        AddBaseline(rates, "(b) naive: transaction per touchpoint", report.Naive, report.Touchpoints);
        if (report.EchoCeiling is { } echo)
        {
            rates.AddRow(new Text("ceiling: gRPC bidi-stream echo"), new Markup($"[bold]{echo.EchoedPerSecond:N0}[/]"), new Text($"{echo.Echoed:N0}"), new Text(Ceiling.EchoCeilingReport.How(echo)));
        }

        rates.AddEmptyRow();

        // Held to an offered rate, the engine shows that rate, not what it could take.
        var held = engine.OfferedRate is null ? string.Empty : "; engine held to the offered rate, not its capacity";
        rates.AddRow(new Text("engine / (a)"), new Markup($"[bold]{FormatRatio(report.EngineToCopy)}[/]"), new Text(string.Empty), new Text($"share of the raw COPY rate{held}"));
        rates.AddRow(new Text("engine / (b)"), new Markup($"[bold]{FormatRatio(report.EngineToNaive)}[/]"), new Text(string.Empty), new Text($"gain over the naive design{held}"));
        if (report.EchoCeiling is not null)
        {
            rates.AddRow(new Text("engine / echo ceiling"), new Markup($"[bold]{FormatRatio(report.EngineToEchoCeiling)}[/]"), new Text(string.Empty), new Text($"share of a bare gRPC stream's rate{held}"));
        }

        rates.AddRow(new Text("engine p99 ack latency"), new Markup($"[bold]{FormatMilliseconds(engine.AckLatency.P99)} ms[/]"), new Text(string.Empty), new Text("send to durable ack"));
        console.Write(rates);

        var latency = new Table().Border(TableBorder.Rounded).Title("engine ack latency (ms)")
            .AddColumn("measured from")
            .AddColumn(new TableColumn("p50").RightAligned())
            .AddColumn(new TableColumn("p90").RightAligned())
            .AddColumn(new TableColumn("p99").RightAligned())
            .AddColumn(new TableColumn("p99.9").RightAligned())
            .AddColumn(new TableColumn("max").RightAligned())
            .AddColumn(new TableColumn("mean").RightAligned());
        AddLatency(latency, "send", engine.AckLatency);
        if (engine.ScheduledLatency is { } scheduled)
        {
            AddLatency(latency, "due time at the offered rate", scheduled);
        }

        console.Write(latency);

        if (report.EngineCpu is { } cpu)
        {
            WriteCpu(console, cpu);
        }

        console.MarkupLineInterpolated(
            $"Engine acks: {engine.Accepted:N0} accepted, {engine.Duplicate:N0} duplicate, {engine.Rejected:N0} rejected, {engine.Unacknowledged:N0} unacknowledged, in {engine.Elapsed.TotalSeconds:N2} s (first send to last ack)");
        if (engine.AcknowledgedByEndpoint.Count > 1)
        {
            console.MarkupLineInterpolated($"Acks by server address, in the order given: {string.Join(", ", engine.AcknowledgedByEndpoint.Select(n => n.ToString("N0", CultureInfo.InvariantCulture)))}");
        }

        if (engine.RefusalsWaitedOut > 0)
        {
            console.MarkupLineInterpolated(
                $"[yellow]note:[/] the server refused streams for now as they opened {engine.RefusalsWaitedOut:N0} time(s) (its MaxTouchpointStreams, or the API key's rate); each was opened again after the wait asked for, which counts in the elapsed time and in latency from the due time.");
        }

        if (engine.Duplicate > 0)
        {
            console.MarkupLine("[yellow]warning:[/] duplicates in a fresh run mean these ids were sent before (a reused --run-id?); the rate then is not one of new writes.");
        }

        foreach (var problem in engine.Problems)
        {
            console.MarkupLineInterpolated($"[red]problem:[/] {problem}");
        }

        if (!engine.Clean)
        {
            console.MarkupLine("[red bold]The engine did not acknowledge every touchpoint cleanly; these figures are not valid.[/]");
        }

        if (report.Mixed is { } mixed)
        {
            MixedWorkloadReport.Write(console, mixed);
        }

        if (report.EchoCeiling is { } ceiling)
        {
            Ceiling.EchoCeilingReport.WriteProblems(console, ceiling);
        }

        if (report.Verification is { } verification)
        {
            VerificationReport.Write(console, verification);
        }
    }

    private static void WriteCpu(IAnsiConsole console, CpuUse cpu)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"CPU during the engine phase: machine {cpu.MachineBusyShare.ToString("P0", CultureInfo.InvariantCulture)} busy")
            .AddColumn("spent by")
            .AddColumn(new TableColumn("CPU s").RightAligned())
            .AddColumn(new TableColumn("µs per touchpoint").RightAligned());
        foreach (var (label, _, seconds) in cpu.Groups)
        {
            table.AddRow(label, seconds.ToString("N2", CultureInfo.InvariantCulture), cpu.MicrosecondsPerTouchpoint(seconds).ToString("N1", CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }

    private static void AddBaseline(Table table, string name, BaselineResult? baseline, int workloadTouchpoints)
    {
        if (baseline is null)
        {
            table.AddRow(new Text(name), new Text("skipped"), new Text(string.Empty), new Text("--skip-baselines"));
            return;
        }

        table.AddRow(
            new Text(name),
            new Markup($"[bold]{baseline.RowsPerSecond:N0}[/]"),
            new Text($"{baseline.Rows:N0}"),
            new Text(baseline.Rows < workloadTouchpoints
                ? $"{baseline.Method}; first {baseline.Rows:N0} of the {workloadTouchpoints:N0} rows, PK + unique event index"
                : $"{baseline.Method}; same rows, PK + unique event index"));
    }

    private static void AddLatency(Table table, string from, LatencySummary summary) =>
        table.AddRow(
            from,
            FormatMilliseconds(summary.P50),
            FormatMilliseconds(summary.P90),
            FormatMilliseconds(summary.P99),
            FormatMilliseconds(summary.P999),
            FormatMilliseconds(summary.Max),
            (summary.Mean / 1000).ToString("N2", CultureInfo.InvariantCulture));

    private static string Batching(EngineResult engine) =>
        engine.Batch <= 1 || engine.Messages == 0
            ? string.Empty
            : $", up to {engine.Batch} per message ({(double)engine.Sent / engine.Messages:N1} on average)";

    private static string FormatRatio(double? ratio) => ratio is { } value ? $"{value.ToString("N2", CultureInfo.InvariantCulture)}x" : "n/a";

    private static string FormatMilliseconds(long microseconds) => (microseconds / 1000.0).ToString("N2", CultureInfo.InvariantCulture);
}

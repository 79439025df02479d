using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Customer360.LoadTest.Engine;
using Customer360.LoadTest.Workload;
using Spectre.Console;

namespace Customer360.LoadTest.InProcess;

/// <summary>
/// <c>c360-load inproc</c>: the engine without the network. Starts an in-process cluster with the
/// real grains on the chosen store, applies generated touchpoints through the cluster client,
/// measures the raw grain-call ceiling on the same cluster, and verifies every customer.
/// </summary>
internal static class InProcessCommand
{
    public static Command Create()
    {
        var silos = new Option<int>("--silos") { Description = "Silos in the in-process cluster (1 to 4; 1 with sqlite)", DefaultValueFactory = _ => 2, HelpName = "n" };
        var store = new Option<string>("--store") { Description = "Where the customers are stored: memory, sqlite (a temporary file) or postgres", DefaultValueFactory = _ => "memory" };
        store.AcceptOnlyFromAmong("memory", "sqlite", "postgres");
        var postgres = new Option<string?>("--postgres")
        {
            Description = $"Npgsql connection string for --store postgres (schema applied). Default: ${Ingest.PostgresConnection.Variable}, else the file {Ingest.PostgresConnection.DefaultFile}",
            HelpName = "connection-string",
        };
        var touchpoints = new Option<int>("--touchpoints") { Description = "Touchpoints to apply", DefaultValueFactory = _ => 100_000, HelpName = "n" };
        var customers = new Option<int>("--customers") { Description = "Customers they are spread over", DefaultValueFactory = _ => 10_000, HelpName = "n" };
        var concurrency = new Option<int>("--concurrency") { Description = "Grain calls in flight at once", DefaultValueFactory = _ => 256, HelpName = "n" };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated workload", DefaultValueFactory = _ => 360 };
        var warmup = new Option<int>("--warmup")
        {
            Description = "Touchpoints sent to the measured customers before timing, which also activates the ceiling's grains first (0: both phases start cold)",
            HelpName = "n",
        };
        var rate = new Option<double?>("--rate")
        {
            Description = "Open loop: offer touchpoints at this fixed rate per second, each due at its time whether or not earlier ones have returned, with latency measured from its due time; --concurrency still caps the calls in flight (default: closed loop, as fast as the calls in flight allow)",
            HelpName = "per-second",
        };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the results as JSON to this file", HelpName = "file" };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Also write the results as Markdown (command, headline figures, every figure) to this file", HelpName = "file" };
        var noVerify = new Option<bool>("--no-verify") { Description = "Skip reading every customer back at the end" };
        var noMemory = new Option<bool>("--no-memory") { Description = "Skip measuring the heap each active customer holds after the run" };
        var memoryCustomers = new Option<int>("--memory-customers") { Description = "New customers the memory phase activates", DefaultValueFactory = _ => 2_000, HelpName = "n" };
        var memoryTouchpoints = new Option<int>("--memory-touchpoints")
        {
            Description = "Touchpoints each of them is given (100 fills the default recent window twice; 1024 also fills the default idempotency window)",
            DefaultValueFactory = _ => 100,
            HelpName = "n",
        };
        var recentWindow = new Option<int?>("--recent-window") { Description = "The silos' RecentWindow (default: the engine's, 50)", HelpName = "n" };
        var workload = new WorkloadOptions();
        var command = new Command("inproc", "Measure the engine in-process: the real grains on an in-process Orleans cluster, next to the raw grain-call ceiling on the same cluster")
        {
            silos, store, postgres, touchpoints, customers, concurrency, seed, warmup, rate, json, markdown, noVerify,
            noMemory, memoryCustomers, memoryTouchpoints, recentWindow,
        };
        foreach (var option in workload.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            WorkloadMix mix;
            try
            {
                mix = workload.Read(parse);
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine($"c360-load: {ex.Message}");
                return Ingest.LoadExitCodes.InvalidInput;
            }

            var settings = new InProcessSettings
            {
                RunId = $"inproc-{DateTime.UtcNow:yyyyMMddHHmmss}-{Random.Shared.Next(0x10000):x4}",
                Silos = parse.GetValue(silos),
                Store = parse.GetRequiredValue(store),
                // As for ingest, the connection string may come from C360_POSTGRES or the file
                // start-postgres.sh writes, so that its password need not be in the process's arguments.
                Postgres = parse.GetRequiredValue(store) == "postgres" ? Ingest.PostgresConnection.Resolve(parse.GetValue(postgres)) : parse.GetValue(postgres),
                Touchpoints = parse.GetValue(touchpoints),
                Customers = parse.GetValue(customers),
                Concurrency = parse.GetValue(concurrency),
                Seed = parse.GetValue(seed),
                Mix = mix,
                Warmup = parse.GetValue(warmup),
                Verify = !parse.GetValue(noVerify),
                Rate = parse.GetValue(rate),
                Memory = !parse.GetValue(noMemory),
                MemoryCustomers = parse.GetValue(memoryCustomers),
                MemoryTouchpoints = parse.GetValue(memoryTouchpoints),
                RecentWindow = parse.GetValue(recentWindow),
            };
            if (Problem(settings) is { } problem)
            {
                Console.Error.WriteLine($"c360-load: {problem}");
                return Ingest.LoadExitCodes.InvalidInput;
            }

            var report = await InProcessLoad.RunAsync(settings, line => Console.Error.WriteLine($"c360-load: {line}"), cancellationToken);
            var console = AnsiConsole.Console;
            if (Console.IsOutputRedirected)
            {
                // A file or pipe has no width to respect; the 80 columns assumed otherwise would wrap every table.
                console.Profile.Width = 160;
            }

            Write(console, report);
            if (parse.GetValue(json) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, ToJson(report).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", cancellationToken);
            }

            if (parse.GetValue(markdown) is { } markdownFile)
            {
                await Reporting.MarkdownReport.WriteAsync(markdownFile, ToJson(report), Reporting.RunCommandLine.Current(), cancellationToken);
            }

            return report.Clean ? Ingest.LoadExitCodes.Ok : Ingest.LoadExitCodes.EngineProblems;
        });
        return command;
    }

    internal static string? Problem(InProcessSettings s) =>
        s.Silos is < 1 or > 4 ? "--silos must be between 1 and 4"
        : s.Store == "sqlite" && s.Silos != 1 ? "--store sqlite runs one silo (one writer per file): add --silos 1"
        : s.Store == "postgres" && string.IsNullOrWhiteSpace(s.Postgres) ? $"--store postgres needs a database: give --postgres, set ${Ingest.PostgresConnection.Variable}, or start one with deploy/postgres/start-postgres.sh"
        : s.Touchpoints < 1 || s.Customers < 1 || s.Customers > s.Touchpoints ? "--touchpoints and --customers must be positive, with at least one touchpoint per customer"
        : s.Concurrency is < 1 or > 10_000 ? "--concurrency must be between 1 and 10000"
        : s.Warmup < 0 ? "--warmup must not be negative"
        : s.Rate is <= 0 or double.NaN or double.PositiveInfinity ? "--rate must be a positive number of touchpoints per second"
        : MemoryReport.Problem(s);

    private static void Write(IAnsiConsole console, InProcessReport report)
    {
        var s = report.Settings;
        var warm = s.Warmup > 0 ? $", warm (after {s.Warmup:N0} touchpoints)" : ", cold (every customer new)";
        console.Write(new Rule($"[bold]In-process engine[/] {s.Silos} silo(s), {s.Store} store{warm}").LeftJustified());
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("phase").AddColumn(new TableColumn("per second").RightAligned()).AddColumn(new TableColumn("calls").RightAligned())
            .AddColumn(new TableColumn("p50 µs").RightAligned()).AddColumn(new TableColumn("p90 µs").RightAligned())
            .AddColumn(new TableColumn("p99 µs").RightAligned()).AddColumn(new TableColumn("p99.9 µs").RightAligned()).AddColumn(new TableColumn("max µs").RightAligned());
        Row(table, "engine: touchpoints applied (RecordTouchpoint)", report.Engine);
        if (report.Engine.SendLatency is { } fromSend)
        {
            Row(table, "engine, from send (not corrected)", report.Engine with { Latency = fromSend });
        }

        Row(table, "ceiling: trivial grain calls", report.Ceiling);
        if (report.SiloCeiling is { } siloCeiling)
        {
            Row(table, "silo ceiling: trivial grain calls from inside the silos", siloCeiling);
        }

        console.Write(table);
        if (report.Engine.OfferedRate is { } offered)
        {
            console.MarkupLineInterpolated($"Open loop: offered [bold]{offered:N0}[/] touchpoints/s, achieved [bold]{report.Engine.PerSecond:N0}[/]/s; engine latency measured from each touchpoint's due time (ceilings stay closed-loop)");
        }

        console.MarkupLineInterpolated($"Engine / ceiling: [bold]{report.EngineToCeiling.ToString("F3", CultureInfo.InvariantCulture)}[/] ({report.Accepted:N0} accepted, {report.Duplicate:N0} duplicate, {report.Rejected:N0} not applied; {report.Customers:N0} customers, {s.Concurrency} calls in flight)");
        if (report.EngineToSiloCeiling is { } toSilo)
        {
            console.MarkupLineInterpolated($"Engine / silo ceiling: [bold]{toSilo.ToString("F3", CultureInfo.InvariantCulture)}[/] (the silo ceiling's calls do not pass the client's gateway)");
        }
        foreach (var problem in report.Problems)
        {
            console.MarkupLineInterpolated($"[red]problem:[/] {problem}");
        }

        if (report.Verification is { } verification)
        {
            Reporting.VerificationReport.Write(console, verification);
        }

        if (report.Memory is { } memory)
        {
            MemoryReport.Write(console, memory);
        }
    }

    private static void Row(Table table, string name, CallPhase phase) => table.AddRow(
        name,
        phase.PerSecond.ToString("N0", CultureInfo.InvariantCulture),
        phase.Calls.ToString("N0", CultureInfo.InvariantCulture),
        phase.Latency.P50.ToString("N0", CultureInfo.InvariantCulture),
        phase.Latency.P90.ToString("N0", CultureInfo.InvariantCulture),
        phase.Latency.P99.ToString("N0", CultureInfo.InvariantCulture),
        phase.Latency.P999.ToString("N0", CultureInfo.InvariantCulture),
        phase.Latency.Max.ToString("N0", CultureInfo.InvariantCulture));

    internal static JsonObject ToJson(InProcessReport report) => new()
    {
        ["runId"] = report.Settings.RunId,
        ["startedAt"] = report.StartedAt.ToString("O"),
        ["machine"] = report.Machine.ToJson(),
        ["silos"] = report.Settings.Silos,
        ["store"] = report.Settings.Store,
        ["touchpoints"] = report.Settings.Touchpoints,
        ["customers"] = report.Customers,
        ["concurrency"] = report.Settings.Concurrency,
        ["warmup"] = report.Settings.Warmup,
        ["engine"] = Phase(report.Engine),
        ["ceiling"] = Phase(report.Ceiling),
        ["engineToCeiling"] = report.EngineToCeiling,
        ["siloCeiling"] = report.SiloCeiling is { } siloCeiling ? Phase(siloCeiling) : null,
        ["ratios"] = new JsonObject
        {
            ["engineToCeiling"] = report.EngineToCeiling,
            ["engineToSiloCeiling"] = report.EngineToSiloCeiling,
        },
        ["accepted"] = report.Accepted,
        ["duplicate"] = report.Duplicate,
        ["notApplied"] = report.Rejected,
        ["verificationPassed"] = report.Verification?.Passed,
        ["memory"] = report.Memory is { } memory ? MemoryReport.ToJson(memory) : null,
    };

    private static JsonObject Phase(CallPhase phase) => new()
    {
        ["perSecond"] = phase.PerSecond,
        ["calls"] = phase.Calls,
        ["seconds"] = phase.Elapsed.TotalSeconds,
        ["p50Microseconds"] = phase.Latency.P50,
        ["p90Microseconds"] = phase.Latency.P90,
        ["p99Microseconds"] = phase.Latency.P99,
        ["p999Microseconds"] = phase.Latency.P999,
        ["maxMicroseconds"] = phase.Latency.Max,
        ["latencyFrom"] = phase.OfferedRate is null ? "send" : "due",
        ["offeredRate"] = phase.OfferedRate,
        ["achievedRate"] = phase.OfferedRate is null ? null : phase.PerSecond,
        ["sendLatency"] = phase.SendLatency is { } fromSend
            ? new JsonObject
            {
                ["count"] = fromSend.Count,
                ["p50Microseconds"] = fromSend.P50,
                ["p90Microseconds"] = fromSend.P90,
                ["p99Microseconds"] = fromSend.P99,
                ["p999Microseconds"] = fromSend.P999,
                ["maxMicroseconds"] = fromSend.Max,
            }
            : null,
    };
}

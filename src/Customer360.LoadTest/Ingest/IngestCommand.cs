using Customer360.Clients;
using System.CommandLine;
using Customer360.LoadTest.Baselines;
using Customer360.LoadTest.Engine;
using Customer360.LoadTest.Reporting;
using Customer360.LoadTest.Workload;
using Grpc.Core;
using Npgsql;
using Spectre.Console;

namespace Customer360.LoadTest.Ingest;

/// <summary>
/// <c>c360-load ingest</c>: durable ingestion through <c>StreamTouchpoints</c> against a running
/// server, and in the same run the same touchpoints written by two PostgreSQL baselines, reported
/// as rates, ratios and ack latency percentiles.
/// </summary>
internal static class IngestCommand
{
    private const string DefaultServer = "http://127.0.0.1:5360";
    private const string ServerVariable = "C360_SERVER";
    private const int RedirectedWidth = 160;

    public static Command Create()
    {
        var server = new Option<string>("--server")
        {
            Description = $"Customer360 server address (http:// speaks HTTP/2 without TLS); several silos of one cluster as a comma-separated list, over which the tills' streams, the agents' reads, the watches and the dashboard's segments are spread. Default: ${ServerVariable}, else {DefaultServer}",
            HelpName = "url",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultServer,
        };
        var apiKey = ApiKeyOption();
        var caCert = CaCertOption();
        var touchpoints = Count("--touchpoints", "Touchpoints to generate and send", 100_000, 10_000_000);
        var customers = Count("--customers", "Customers the touchpoints are spread over", 10_000, 1_000_000);
        var seed = new Option<int>("--seed") { Description = "Seed of the generated workload; the same seed gives the same touchpoints", DefaultValueFactory = _ => 360 };
        var runId = new Option<string?>("--run-id")
        {
            Description = "Prefix of every customer and event id (letters, digits, '-', '_'); default: a new one per run, so runs never collide. "
                + "Reused on the same UTC day, it resends identical touchpoints, which come back DUPLICATE",
            HelpName = "id",
        };
        var streams = Count("--streams", "Concurrent touchpoint streams (StreamTouchpoints; StreamTouchpointBatches with --batch above 1)", EngineIngest.DefaultStreams, 1024);
        var window = Count("--window", "Touchpoints each stream keeps un-acknowledged at most", EngineIngest.DefaultWindow, 1024);
        var batch = Count("--batch", "Touchpoints one message may carry, as a point-of-sale system forwarding several tills sends them; a message takes only those ready at once and never waits to fill, and above 1 the acks come back several to a message too (StreamTouchpointBatches) (1: one per message, as a single till)", EngineIngest.DefaultBatch, 1024);
        var rate = new Option<double?>("--rate")
        {
            Description = "Offer touchpoints at this fixed rate per second over all streams (default: as fast as the windows allow)",
            HelpName = "per-second",
        };
        rate.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is <= 0)
            {
                result.AddError("--rate must be positive");
            }
        });
        // A freshly started server first compiles its hot paths and fills its pools; a
        // production server runs warm, so the measured phase follows a warm-up.
        var warmup = Count("--warmup", "Touchpoints sent before the measured engine phase, so that the server runs warm (0 for none)", 50_000, 1_000_000, allowZero: true);
        var returning = new Option<bool>("--returning")
        {
            Description = "Send the warm-up to the measured customers, so that the measured phase finds every customer active (returning customers); by default it goes to customers of its own and every measured customer is new",
        };
        var postgres = new Option<string?>("--postgres")
        {
            Description = $"Npgsql connection string for the baselines. Default: ${PostgresConnection.Variable}, else the file {PostgresConnection.DefaultFile}",
            HelpName = "connection-string",
        };
        var skipBaselines = new Option<bool>("--skip-baselines") { Description = "Measure the engine only (e.g. for a server on SQLite)" };
        var copyChunk = Count("--copy-chunk", "Rows per COPY (and per commit) in baseline (a)", CopyBaseline.DefaultChunkRows, 1_000_000);
        var naiveConnections = Count("--naive-connections", "Concurrent connections in baseline (b)", NaiveBaseline.DefaultConnections, 256);
        var naiveTouchpoints = Count("--naive-touchpoints", "Baseline (b) writes this many touchpoints from the start of the workload", NaiveBaseline.DefaultTouchpoints, 10_000_000);
        var keepTables = new Option<bool>("--keep-tables") { Description = "Leave the baselines' scratch tables in the database for inspection (they are recreated on the next run anyway)" };
        var storeLabel = new Option<string>("--store-label")
        {
            Description = "What the server stores into, for the report (e.g. \"postgres 15, local\"); the benchmark cannot ask the server",
            HelpName = "text",
            DefaultValueFactory = _ => "unknown",
        };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the results as JSON to this file", HelpName = "file" };
        var echoCeiling = new Option<bool>("--echo-ceiling")
        {
            Description = "After the engine phase, measure the raw rate of gRPC streams that only echo (a Kestrel service in this process) with the same streams, window and touchpoints, and report the engine's rate as a ratio to it",
        };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Also write the results as Markdown (command, headline figures, every figure) to this file", HelpName = "file" };
        var cpu = new Option<bool>("--cpu")
        {
            Description = "Report the CPU time this tool, the Customer360 servers, PostgreSQL and everything else on this machine spent during the measured engine phase, in all and per touchpoint (Linux; read from /proc once as the phase starts and once as it ends)",
        };
        var noVerify = new Option<bool>("--no-verify")
        {
            Description = "Skip the check, after the run, that every customer in the engine holds exactly the touchpoints acknowledged to it",
        };

        var workloadShape = new WorkloadOptions();
        var mixedWorkload = new MixedWorkloadOptions();
        var command = new Command("ingest", "Measure durable touchpoint ingestion through the gRPC API, next to PostgreSQL baselines on the same rows")
        {
            server, apiKey, touchpoints, customers, seed, runId, streams, window, batch, rate, warmup,
            returning, postgres, skipBaselines, copyChunk, naiveConnections, naiveTouchpoints, keepTables, storeLabel, json, markdown, noVerify, echoCeiling, cpu,
        };
        foreach (var option in workloadShape.All.Concat(mixedWorkload.All))
        {
            command.Options.Add(option);
        }


        command.SetAction(async (parseResult, cancellationToken) =>
        {
            IngestSettings settings;
            try
            {
                var skip = parseResult.GetValue(skipBaselines);
                var connectionString = skip ? null : PostgresConnection.Resolve(parseResult.GetValue(postgres));
                if (!skip && connectionString is null)
                {
                    return Fail(LoadExitCodes.InvalidInput,
                        $"no database for the baselines: give --postgres, set ${PostgresConnection.Variable}, start one with deploy/postgres/start-postgres.sh, or pass --skip-baselines");
                }

                settings = new IngestSettings
                {
                    Server = ParseServers(parseResult.GetRequiredValue(server))[0],
                    OtherServers = ParseServers(parseResult.GetRequiredValue(server))[1..],
                    ApiKey = ApiKeyOf(parseResult, apiKey),
                    CaCertificate = ReadableCaCert(parseResult.GetValue(caCert)),
                    Touchpoints = parseResult.GetValue(touchpoints),
                    Customers = parseResult.GetValue(customers),
                    Seed = parseResult.GetValue(seed),
                    Mix = workloadShape.Read(parseResult),
                    RunId = ParseRunId(parseResult.GetValue(runId)),
                    Streams = parseResult.GetValue(streams),
                    Window = parseResult.GetValue(window),
                    Batch = parseResult.GetValue(batch) <= parseResult.GetValue(window)
                        ? parseResult.GetValue(batch)
                        : throw new ArgumentException("--batch cannot exceed --window: a message's touchpoints all wait for acks in the same window"),
                    Rate = parseResult.GetValue(rate),
                    Warmup = parseResult.GetValue(warmup),
                    Postgres = connectionString,
                    CopyChunkRows = parseResult.GetValue(copyChunk),
                    NaiveConnections = parseResult.GetValue(naiveConnections),
                    NaiveTouchpoints = parseResult.GetValue(naiveTouchpoints),
                    KeepTables = parseResult.GetValue(keepTables),
                    ReturningCustomers = parseResult.GetValue(returning),
                    StoreLabel = parseResult.GetRequiredValue(storeLabel),
                    JsonFile = parseResult.GetValue(json),
                    MarkdownFile = parseResult.GetValue(markdown),
                    Verify = !parseResult.GetValue(noVerify),
                    EchoCeiling = parseResult.GetValue(echoCeiling),
                    MeasureCpu = parseResult.GetValue(cpu),
                };
                settings = mixedWorkload.Apply(parseResult, settings);
                if (settings.MeasureCpu && !CpuSnapshot.Supported)
                {
                    throw new ArgumentException("--cpu reads each process's CPU time from /proc, which only Linux has");
                }
            }
            catch (ArgumentException ex)
            {
                return Fail(LoadExitCodes.InvalidInput, ex.Message);
            }

            return await RunAsync(settings, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(IngestSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var benchmark = new IngestBenchmark(settings, line => Console.Error.WriteLine($"c360-load: {line}"));
            var report = await benchmark.RunAsync(cancellationToken);

            var console = AnsiConsole.Console;
            if (Console.IsOutputRedirected)
            {
                // A file or pipe has no width to respect; the 80 columns assumed otherwise would wrap every table.
                console.Profile.Width = RedirectedWidth;
            }

            ReportTable.Write(console, report);
            if (settings.JsonFile is { } file)
            {
                await ReportJson.WriteAsync(file, report, cancellationToken);
                Console.Error.WriteLine($"c360-load: results written to {file.FullName}");
            }

            if (settings.MarkdownFile is { } markdownFile)
            {
                await MarkdownReport.WriteAsync(markdownFile, ReportJson.ToJson(report), RunCommandLine.Current(), cancellationToken);
                Console.Error.WriteLine($"c360-load: Markdown summary written to {markdownFile.FullName}");
            }

            return report.Engine.Clean
                && report.Verification is null or { Passed: true }
                && report.Mixed is null or { Clean: true }
                && report.EchoCeiling is null or { Clean: true }
                ? LoadExitCodes.Ok
                : LoadExitCodes.EngineProblems;
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested &&
                                   ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            return Fail(LoadExitCodes.Cancelled, "cancelled");
        }
        catch (BenchmarkSetupException ex)
        {
            return Fail(LoadExitCodes.EngineProblems, ex.Message);
        }
        catch (RpcException ex)
        {
            return Fail(LoadExitCodes.EngineProblems, $"the server failed the benchmark with {ex.StatusCode}: {ex.Status.Detail}");
        }
        catch (Exception ex) when (ex is BaselineException or NpgsqlException)
        {
            return Fail(LoadExitCodes.BaselineFailed, $"PostgreSQL baseline failed: {ex.Message}");
        }
    }

    /// <summary>An option for a positive count (or zero, where that means "none").</summary>
    private static Option<int> Count(string name, string description, int defaultValue, int max, bool allowZero = false)
    {
        var option = new Option<int>(name) { Description = description, HelpName = "n", DefaultValueFactory = _ => defaultValue };
        var min = allowZero ? 0 : 1;
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value < min || value > max)
            {
                result.AddError($"{name} must be between {min:N0} and {max:N0}");
            }
        });
        return option;
    }

    /// <summary>
    /// --api-key, for servers that require one; the same as c360's, and it reads the same variable,
    /// through <see cref="ApiKeyOf"/>: a default value would be printed by --help, key and all.
    /// </summary>
    internal static Option<string?> ApiKeyOption() => new("--api-key")
    {
        Description = "API key sent with every call, for a server that requires one (README, \"Who may call the API\"). Default: $C360_API_KEY",
        HelpName = "key",
    };

    /// <summary>The key given with <paramref name="apiKey"/>, else the one in $C360_API_KEY, or null.</summary>
    internal static string? ApiKeyOf(ParseResult parseResult, Option<string?> apiKey) =>
        parseResult.GetValue(apiKey) ?? (Environment.GetEnvironmentVariable("C360_API_KEY") is { Length: > 0 } fromEnvironment ? fromEnvironment : null);

    /// <summary>--ca-cert, for a server whose certificate comes from a private CA or is self-signed; the same as c360's.</summary>
    internal static Option<string?> CaCertOption() => new("--ca-cert")
    {
        Description = "PEM file of the CA certificates (or the server's own self-signed one) to trust for an https:// server, instead of the system's; the host name is still checked. Default: $C360_CA_CERT",
        HelpName = "file",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("C360_CA_CERT") is { Length: > 0 } fromEnvironment ? fromEnvironment : null,
    };

    /// <summary>The --ca-cert file, once it has been read as PEM certificates; refused before the run starts otherwise.</summary>
    internal static string? ReadableCaCert(string? path)
    {
        try
        {
            return path is null || ServerTrust.ReadRoots(path).Count > 0 ? path : null;
        }
        catch (FormatException ex)
        {
            throw new ArgumentException(ex.Message);
        }
    }

    /// <summary>One address, or several separated by commas; at least one.</summary>
    internal static Uri[] ParseServers(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } addresses
            ? [.. addresses.Select(ParseServer)]
            : throw new ArgumentException("--server: give at least one http:// or https:// address");

    private static Uri ParseServer(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ArgumentException($"--server: '{text}' is not an http:// or https:// address");

    /// <summary>A given run id, checked, or a new one from the clock and a random suffix.</summary>
    private static string ParseRunId(string? given)
    {
        if (string.IsNullOrEmpty(given))
        {
            return $"load-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Random.Shared.Next(0x10000):x4}";
        }

        // Ids must stay well inside the engine's 128-character limit once suffixes are added.
        if (given.Length > 64 || !given.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"--run-id: '{given}' must be 1 to 64 letters, digits, '-' or '_'");
        }

        return given;
    }

    private static int Fail(int exitCode, string message)
    {
        Console.Error.WriteLine($"c360-load: error: {message}");
        return exitCode;
    }
}

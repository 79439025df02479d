using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Customer360.LoadTest.Engine;
using Customer360.LoadTest.Ingest;
using Customer360.LoadTest.Workload;
using Spectre.Console;

namespace Customer360.LoadTest.Ceiling;

/// <summary>
/// <c>c360-load ceiling</c>: what the machine allows before the engine adds anything. Today one
/// ceiling, <c>grpc</c>: the rate of bidirectional gRPC streams that only echo, driven exactly as
/// <c>ingest</c> drives <c>StreamTouchpoints</c>. (<c>inproc</c> measures the grain-call ceilings
/// of its own cluster in the same run.)
/// </summary>
internal static class CeilingCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create() => new("ceiling", "Measure what the machine allows before the engine adds anything (ingest --echo-ceiling measures the same next to the engine)")
    {
        CreateGrpc(),
    };

    private static Command CreateGrpc()
    {
        var streams = Count("--streams", "Concurrent bidirectional streams", EngineIngest.DefaultStreams, 1024);
        var window = Count("--window", "Touchpoints each stream keeps un-echoed at most", EngineIngest.DefaultWindow, 1024);
        var batch = Count("--batch", "Touchpoints one frame may carry; as with ingest, a frame takes only those ready at once", EngineIngest.DefaultBatch, 1024);
        var messages = Count("--messages", "Touchpoints to send (and have echoed)", 100_000, 10_000_000);
        var customers = Count("--customers", "Customers the generated touchpoints are spread over (they decide each touchpoint's stream)", 10_000, 1_000_000);
        var warmup = new Option<int>("--warmup") { Description = "Touchpoints echoed, untimed, before the measured ones (0 for none)", HelpName = "n", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generated touchpoints", DefaultValueFactory = _ => 360 };
        var rate = new Option<double?>("--rate") { Description = "Offer touchpoints at this fixed rate per second over all streams (default: as fast as the windows allow)", HelpName = "per-second" };
        rate.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is <= 0)
            {
                result.AddError("--rate must be positive");
            }
        });
        var json = new Option<FileInfo?>("--json") { Description = "Also write the results as JSON to this file", HelpName = "file" };
        var command = new Command("grpc", "The raw rate of bidirectional gRPC streams on this machine: a Kestrel echo service in this process, sent the workload's touchpoints exactly as ingest sends them, each echo checked")
        {
            streams, window, batch, messages, customers, warmup, seed, rate, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(batch) > parse.GetValue(window))
            {
                Console.Error.WriteLine("c360-load: error: --batch cannot exceed --window: a frame's touchpoints all wait in the same window");
                return LoadExitCodes.InvalidInput;
            }

            var count = parse.GetValue(messages);
            var workload = new WorkloadGenerator(parse.GetValue(seed)).Generate(
                $"echo-{DateTime.UtcNow:yyyyMMddHHmmss}", count, Math.Min(count, parse.GetValue(customers)), DateTimeOffset.UtcNow);
            Console.Error.WriteLine($"c360-load: echo: {count:N0} touchpoints on {parse.GetValue(streams)} streams, up to {parse.GetValue(window)} in flight each");
            var result = await EchoCeiling.MeasureAsync(workload, parse.GetValue(streams), parse.GetValue(window), parse.GetValue(batch), parse.GetValue(rate), Math.Max(0, parse.GetValue(warmup)), cancellationToken);

            var console = AnsiConsole.Console;
            if (Console.IsOutputRedirected)
            {
                // A file or pipe has no width to respect; the 80 columns assumed otherwise would wrap every table.
                console.Profile.Width = 160;
            }

            EchoCeilingReport.Write(console, result);
            if (parse.GetValue(json) is { } file)
            {
                file.Directory?.Create();
                await File.WriteAllTextAsync(file.FullName, new System.Text.Json.Nodes.JsonObject { ["echoCeiling"] = EchoCeilingReport.ToJson(result) }.ToJsonString(Indented) + "\n", cancellationToken);
                Console.Error.WriteLine($"c360-load: results written to {file.FullName}");
            }

            return result.Clean ? LoadExitCodes.Ok : LoadExitCodes.EngineProblems;
        });
        return command;
    }

    private static Option<int> Count(string name, string description, int defaultValue, int max)
    {
        var option = new Option<int>(name) { Description = description, HelpName = "n", DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is var value && (value < 1 || value > max))
            {
                result.AddError($"{name} must be between 1 and {max:N0}");
            }
        });
        return option;
    }
}

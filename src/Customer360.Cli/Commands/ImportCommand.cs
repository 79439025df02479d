using System.CommandLine;
using Customer360.Api.V1;
using Customer360.Cli.Import;
using Customer360.Cli.Infrastructure;
using Grpc.Core;
using Spectre.Console;

namespace Customer360.Cli.Commands;

/// <summary>
/// <c>c360 import FILE</c>: streams touchpoints from a CSV or JSON Lines file, with a window of
/// touchpoints in flight, and reports what was accepted, already known, or rejected and why.
/// </summary>
internal static class ImportCommand
{
    public static Command Create(GlobalOptions global)
    {
        var file = new Argument<FileInfo>("file") { Description = "CSV with a header row, or JSON Lines of Touchpoint objects" };
        var format = new Option<ImportFormat>("--format")
        {
            Description = "File format; auto decides from the extension (.csv, .jsonl) or the first character",
            DefaultValueFactory = _ => ImportFormat.Auto,
        };
        var window = WindowOption();

        var command = new Command("import", "Import touchpoints from a file; re-running the same file is safe (all come back as duplicates)")
        {
            file, format, window,
        };
        command.SetHandler(global, async (parseResult, context) =>
        {
            var path = parseResult.GetRequiredValue(file).FullName;
            if (!File.Exists(path))
            {
                throw new UserInputException($"no such file: {path}");
            }

            var chosen = parseResult.GetValue(format);
            if (chosen == ImportFormat.Auto)
            {
                chosen = ImportFile.Detect(path, ImportFile.FirstNonBlankLine(path));
            }

            if (chosen == ImportFormat.Csv && ImportFile.FirstNonBlankLine(path) is { } header)
            {
                // A bad header spoils every line; say so before opening a stream.
                TouchpointCsv.FromHeader(header);
            }

            var total = ImportFile.CountRecords(path, chosen);
            using var reader = new StreamReader(path);
            var lines = ImportFile.ReadTouchpoints(reader, chosen);
            return await StreamAsync(context, lines, parseResult.GetValue(window), total, $"Importing {Path.GetFileName(path)}");
        });
        return command;
    }

    /// <summary>How many touchpoints an import keeps in flight; shared by every touchpoint import.</summary>
    public static Option<int> WindowOption() =>
        Options.Int("--window", "Touchpoints sent ahead of their acknowledgement", TouchpointImporter.DefaultWindow, 1, 1024);

    /// <summary>Sends <paramref name="lines"/> down one StreamTouchpoints call, with progress and the final report.</summary>
    /// <param name="open">Opens the call; the server's StreamTouchpoints when not given.</param>
    public static async Task<int> StreamAsync(
        CliContext context,
        IEnumerable<ParsedLine<Touchpoint>> lines,
        int window,
        int total,
        string description,
        Func<CancellationToken, AsyncDuplexStreamingCall<StreamTouchpointsRequest, TouchpointAck>>? open = null)
    {
        var importer = new TouchpointImporter(window)
        {
            Refused = (refusal, wait) => context.Errors.MarkupLineInterpolated(
                $"[yellow]stream refused for now:[/] {CommandRunner.Describe(refusal)}; opening it again in {wait.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} s ..."),
        };
        open ??= cancellation => context.Customers.StreamTouchpoints(cancellationToken: cancellation);
        return await ImportSession.RunAsync(context, total, description, importer.Tally, onProgress =>
        {
            importer.Progress = onProgress;
            return importer.RunAsync(lines, open, context.CancellationToken);
        });
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Customer360.LoadTest.Ingest;
using Spectre.Console;

namespace Customer360.LoadTest.Summary;

/// <summary>
/// <c>c360-load summarize</c>: the median and spread of each figure over several runs, from the
/// JSON files <c>ingest</c> and <c>inproc</c> write. One run on a shared 2-core machine can be off
/// by a quarter; several runs and their median are what BENCHMARKS.md quotes.
/// </summary>
internal static class SummarizeCommand
{
    public static Command Create()
    {
        var files = new Argument<FileInfo[]>("files") { Description = "JSON reports written with --json", Arity = ArgumentArity.OneOrMore };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Also write the summary as Markdown tables to this file", HelpName = "file" };
        var command = new Command("summarize", "Median and spread of each figure over several runs, from their JSON reports (runs of the same setup are grouped)")
        {
            files, markdown,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var runs = new List<RunFigures>();
            foreach (var file in parse.GetRequiredValue(files))
            {
                try
                {
                    var json = JsonNode.Parse(await File.ReadAllTextAsync(file.FullName, cancellationToken))
                        ?? throw new FormatException($"{file.Name}: empty");
                    runs.Add(RunFigures.Read(file.Name, json));
                }
                catch (Exception ex) when (ex is IOException or JsonException or FormatException or InvalidOperationException)
                {
                    Console.Error.WriteLine($"c360-load: {file.FullName}: {ex.Message}");
                    return LoadExitCodes.InvalidInput;
                }
            }

            var summary = FigureSummary.Summarise(runs);
            var console = AnsiConsole.Console;
            if (Console.IsOutputRedirected)
            {
                // A file or pipe has no width to respect; the 80 columns assumed otherwise would wrap the titles.
                console.Profile.Width = 160;
            }

            Write(console, summary);
            if (parse.GetValue(markdown) is { } target)
            {
                await File.WriteAllTextAsync(target.FullName, ToMarkdown(summary), cancellationToken);
            }

            // Figures of a run that lost or doubled touchpoints mean nothing; say so, and fail.
            var unverified = runs.Where(r => !r.Verified).Select(r => r.File).ToArray();
            if (unverified.Length > 0)
            {
                Console.Error.WriteLine($"c360-load: not verified clean, so not to be quoted: {string.Join(", ", unverified)}");
                return LoadExitCodes.EngineProblems;
            }

            return LoadExitCodes.Ok;
        });
        return command;
    }

    public static string ToMarkdown(IReadOnlyList<(string Setup, IReadOnlyList<FigureSummary> Figures, int Runs)> summary)
    {
        var text = new StringBuilder();
        foreach (var (setup, figures, runs) in summary)
        {
            text.Append(CultureInfo.InvariantCulture, $"**{setup}**, {runs} run{(runs == 1 ? "" : "s")}:\n\n");
            text.Append("| measure | median | lowest | highest |\n|---|---|---|---|\n");
            foreach (var f in figures)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {f.Measure} | {Format(f.Measure, f.Median)} | {Format(f.Measure, f.Lowest)} | {Format(f.Measure, f.Highest)} |\n");
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    private static void Write(IAnsiConsole console, IReadOnlyList<(string Setup, IReadOnlyList<FigureSummary> Figures, int Runs)> summary)
    {
        foreach (var (setup, figures, runs) in summary)
        {
            var table = new Table().Border(TableBorder.Rounded)
                .Title($"{Markup.Escape(setup)}, {runs} run(s)")
                .AddColumn("measure")
                .AddColumn(new TableColumn("median").RightAligned())
                .AddColumn(new TableColumn("lowest").RightAligned())
                .AddColumn(new TableColumn("highest").RightAligned());
            foreach (var f in figures)
            {
                table.AddRow(Markup.Escape(f.Measure), $"[bold]{Format(f.Measure, f.Median)}[/]", Format(f.Measure, f.Lowest), Format(f.Measure, f.Highest));
            }

            console.Write(table);
        }
    }

    /// <summary>Ratios with two decimals and an x, everything else as a whole or one-decimal number.</summary>
    internal static string Format(string measure, double value) =>
        measure.Contains(" / ", StringComparison.Ordinal) ? value.ToString("N2", CultureInfo.InvariantCulture) + "x"
        : value >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : value.ToString("N1", CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Customer360.LoadTest.Summary;

namespace Customer360.LoadTest.Reporting;

/// <summary>
/// One run's report as Markdown, ready to paste into BENCHMARKS.md or a ticket: the command that
/// produced it, the headline figures (the same ones <c>summarize</c> groups runs by), and then
/// every figure of the JSON report. It is rendered from the JSON report itself, so a figure added
/// to the JSON appears here too.
/// </summary>
internal static class MarkdownReport
{
    public static async Task WriteAsync(FileInfo file, JsonObject report, string commandLine, CancellationToken cancellationToken)
    {
        file.Directory?.Create();
        await File.WriteAllTextAsync(file.FullName, Render(report, commandLine), cancellationToken);
    }

    public static string Render(JsonObject report, string commandLine)
    {
        var headline = RunFigures.Read("this run", report);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"### {headline.Setup}\n\n");
        if (Text(report["startedAt"]) is { } startedAt)
        {
            text.Append(CultureInfo.InvariantCulture, $"Started {startedAt}");
            text.Append(report["machine"] is JsonObject machine
                ? string.Create(CultureInfo.InvariantCulture, $" on {Text(machine["cpu"]) ?? "an unknown CPU"}, {machine["processorCount"]} logical processors, {Text(machine["os"])}, {Text(machine["runtime"])}.\n\n")
                : ".\n\n");
        }

        text.Append("```\n").Append(commandLine).Append("\n```\n\n");
        text.Append(headline.Verified
            ? "Verified: every customer holds exactly the touchpoints acknowledged to it.\n\n"
            : "**Not verified clean**: these figures are not to be quoted.\n\n");

        text.Append("| measure | value |\n|---|---|\n");
        foreach (var (measure, value) in headline.Figures)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {measure} | {SummarizeCommand.Format(measure, value)} |\n");
        }

        text.Append("\n<details><summary>Every figure of the run</summary>\n\n| figure | value |\n|---|---|\n");
        foreach (var (path, value) in Leaves(report, prefix: string.Empty))
        {
            text.Append(CultureInfo.InvariantCulture, $"| {path} | {Escape(value)} |\n");
        }

        text.Append("\n</details>\n");
        return text.ToString();
    }

    /// <summary>Every value of the report by its dotted path; empty arrays and nulls are left out, arrays of values joined.</summary>
    internal static IEnumerable<(string Path, string Value)> Leaves(JsonNode? node, string prefix)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    foreach (var leaf in Leaves(child, prefix.Length == 0 ? name : $"{prefix}.{name}"))
                    {
                        yield return leaf;
                    }
                }

                break;
            case JsonArray { Count: > 0 } array when array.All(item => item is JsonValue):
                yield return (prefix, string.Join("; ", array.Select(item => item!.ToString())));
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var leaf in Leaves(array[i], $"{prefix}[{i}]"))
                    {
                        yield return leaf;
                    }
                }

                break;
            case JsonValue value:
                yield return (prefix, FormatValue(value));
                break;
        }
    }

    private static string FormatValue(JsonValue value) =>
        value.TryGetValue<double>(out var d) && !value.TryGetValue<long>(out _)
            ? Math.Round(d, 3).ToString("0.###", CultureInfo.InvariantCulture)
            : value.ToString();

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var s) ? s : node?.ToString();

    private static string Escape(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}

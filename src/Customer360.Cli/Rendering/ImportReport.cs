using System.Text;
using System.Text.Json;
using Customer360.Cli.Import;
using Spectre.Console;

namespace Customer360.Cli.Rendering;

/// <summary>The outcome of an import: a short summary for people, or one JSON object for scripts.</summary>
internal static class ImportReport
{
    public const int RejectionsShown = 10;

    /// <param name="countsDuplicates">Touchpoint imports show the duplicates; profile imports show the unchanged instead.</param>
    public static void Write(IAnsiConsole console, ImportTally tally, string acceptedLabel = "accepted", bool countsDuplicates = true)
    {
        var summary = new Table().Border(TableBorder.Rounded).AddColumn("Outcome").AddColumn(new TableColumn("Records").RightAligned());
        summary.AddRow(new Markup($"[green]{acceptedLabel}[/]"), new Text(tally.Accepted.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));
        if (countsDuplicates)
        {
            summary.AddRow(new Markup("[blue]duplicate[/]"), new Text(tally.Duplicate.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));
        }
        else
        {
            summary.AddRow(new Markup("[blue]unchanged[/]"), new Text(tally.Unchanged.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));
        }

        summary.AddRow(new Markup(tally.Rejected > 0 ? "[red]rejected[/]" : "rejected"), new Text(tally.Rejected.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));
        if (tally.Unacknowledged > 0)
        {
            summary.AddRow(new Markup("[yellow]not acknowledged[/]"), new Text(tally.Unacknowledged.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));
        }

        console.Write(summary);

        var rejections = tally.Rejections;
        if (rejections.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded)
                .Title(rejections.Count > RejectionsShown ? $"First {RejectionsShown} of {tally.Rejected:N0} rejections" : "Rejections")
                .AddColumn(new TableColumn("Line").RightAligned()).AddColumns("Id", "Code", "Reason");
            foreach (var rejection in rejections.Take(RejectionsShown))
            {
                table.AddRow(
                    new Text(rejection.LineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    new Text(rejection.Id),
                    new Text(rejection.Code.Length > 0 ? rejection.Code : "unreadable"),
                    new Text(rejection.Reason));
            }

            console.Write(table);
        }

        if (tally.Unacknowledged > 0)
        {
            console.MarkupLine("[yellow]Some touchpoints were sent but never acknowledged; re-run the import; those already applied come back as duplicates.[/]");
        }
    }

    /// <summary>The tally as one JSON object, with every rejection kept.</summary>
    public static string ToJson(ImportTally tally)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("accepted", tally.Accepted);
            json.WriteNumber("duplicate", tally.Duplicate);
            json.WriteNumber("unchanged", tally.Unchanged);
            json.WriteNumber("rejected", tally.Rejected);
            json.WriteNumber("unacknowledged", tally.Unacknowledged);
            json.WriteStartArray("rejections");
            foreach (var rejection in tally.Rejections)
            {
                json.WriteStartObject();
                json.WriteNumber("line", rejection.LineNumber);
                json.WriteString("id", rejection.Id);
                json.WriteString("code", rejection.Code);
                json.WriteString("field", rejection.Field);
                json.WriteString("reason", rejection.Reason);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

using System.Globalization;
using Customer360.Api.V1;
using Customer360.Cli.Mapping;
using Spectre.Console;

namespace Customer360.Cli.Rendering;

/// <summary>Segments and their figures as tables.</summary>
internal static class SegmentRenderer
{
    public static Table List(IEnumerable<Segment> segments)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Segment", "Dimension", "Value")
            .AddColumn(new TableColumn("Members").RightAligned())
            .AddColumn(new TableColumn("Net spend").RightAligned())
            .AddColumn(new TableColumn("Value score").RightAligned())
            .AddColumn(new TableColumn("Mean value").RightAligned())
            .AddColumns("Updated (UTC)");
        // The server's order: tiers by rank, highest first, then the channels.
        foreach (var segment in segments)
        {
            table.AddRow(
                new Text(segment.SegmentId),
                new Text(segment.Dimension),
                new Text(segment.Value),
                new Text(segment.MemberCount.ToString("N0", CultureInfo.InvariantCulture)),
                new Text(ProtoValues.Format(segment.TotalNetSpend)),
                new Text(ProtoValues.Format(segment.TotalValueScore)),
                new Text(ProtoValues.Format(segment.MeanValueScore)),
                new Text(ProtoValues.Format(segment.UpdatedAt)));
        }

        return table;
    }

    public static void Write(IAnsiConsole console, Segment segment)
    {
        console.Write(new Rule($"[bold]Segment {Markup.Escape(segment.SegmentId)}[/] [grey]version {segment.Version}[/]").LeftJustified());
        var figures = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("").AddColumn("");
        AddFigure(figures, "Dimension", segment.Dimension);
        AddFigure(figures, "Value", segment.Value);
        AddFigure(figures, "Members", segment.MemberCount.ToString("N0", CultureInfo.InvariantCulture));
        AddFigure(figures, "Total net spend", ProtoValues.Format(segment.TotalNetSpend));
        AddFigure(figures, "Total value score", ProtoValues.Format(segment.TotalValueScore));
        AddFigure(figures, "Mean value score", ProtoValues.Format(segment.MeanValueScore));
        AddFigure(figures, "Updated", ProtoValues.Format(segment.UpdatedAt));
        console.Write(figures);

        if (segment.TopMembers.Count == 0)
        {
            console.MarkupLine("[grey]No members.[/]");
            return;
        }

        var members = new Table().Border(TableBorder.Rounded).Title("Top members")
            .AddColumn(new TableColumn("#").RightAligned())
            .AddColumn("Customer")
            .AddColumn(new TableColumn("Value score").RightAligned())
            .AddColumn(new TableColumn("Net spend").RightAligned());
        var rank = 0;
        foreach (var member in segment.TopMembers)
        {
            members.AddRow(
                new Text((++rank).ToString(CultureInfo.InvariantCulture)),
                new Text(member.CustomerId),
                new Text(ProtoValues.Format(member.ValueScore)),
                new Text(ProtoValues.Format(member.NetSpend)));
        }

        console.Write(members);
    }

    private static void AddFigure(Table table, string key, string value) =>
        table.AddRow(new Markup($"[grey]{Markup.Escape(key)}[/]"), new Text(value.Length > 0 ? value : "-"));
}

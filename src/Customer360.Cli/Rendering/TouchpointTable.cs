using Customer360.Api.V1;
using Customer360.Cli.Mapping;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Customer360.Cli.Rendering;

/// <summary>Touchpoints as a table, newest first as the server sends them, with the API key that recorded each when the server says.</summary>
internal static class TouchpointTable
{
    /// <summary>Below this console width the items and source columns are left out rather than squeezed.</summary>
    public const int WideWidth = 120;

    public static Table Create(IEnumerable<Touchpoint> touchpoints, int width, string? title = null)
    {
        var wide = width >= WideWidth;
        var rows = touchpoints as IReadOnlyCollection<Touchpoint> ?? [.. touchpoints];

        // Only servers that take calls with API keys say which key recorded each touchpoint.
        var recordedBy = wide && rows.Any(t => t.RecordedBy.Length > 0);
        var table = new Table().Border(TableBorder.Rounded);
        if (title is not null)
        {
            table.Title(title);
        }

        table.AddColumn(new TableColumn("When (UTC)").NoWrap())
            .AddColumn(new TableColumn("Channel").NoWrap())
            .AddColumn(new TableColumn("Kind").NoWrap())
            .AddColumn(new TableColumn("Amount").RightAligned().NoWrap());
        if (wide)
        {
            table.AddColumn("Items").AddColumn("Source");
        }

        if (recordedBy)
        {
            table.AddColumn(new TableColumn("Recorded by").NoWrap());
        }

        table.AddColumn(new TableColumn("Event id").NoWrap());
        foreach (var touchpoint in rows)
        {
            var cells = new List<IRenderable>
            {
                new Text(ProtoValues.FormatShort(touchpoint.OccurredAt)),
                new Text(FriendlyNames.Channels.Format(touchpoint.Channel)),
                new Text(FriendlyNames.Kinds.Format(touchpoint.Kind)),
                new Text(ProtoValues.Format(touchpoint.Amount)),
            };
            if (wide)
            {
                cells.Add(new Text(DescribeItems(touchpoint)));
                cells.Add(new Text(touchpoint.SourceSystem));
            }

            if (recordedBy)
            {
                cells.Add(new Text(touchpoint.RecordedBy));
            }

            cells.Add(new Text(touchpoint.EventId));
            table.AddRow(cells);
        }

        return table;
    }

    public static string DescribeItems(Touchpoint touchpoint) =>
        string.Join(", ", touchpoint.LineItems.Select(item => item.Quantity == 1 ? item.Sku : $"{item.Quantity} x {item.Sku}"));

    /// <summary>One line, e.g. "purchase via web, 12.50 EUR (event e-1)".</summary>
    public static string Describe(Touchpoint touchpoint)
    {
        var amount = touchpoint.Amount is null ? string.Empty : $", {ProtoValues.Format(touchpoint.Amount)}";
        return $"{FriendlyNames.Kinds.Format(touchpoint.Kind)} via {FriendlyNames.Channels.Format(touchpoint.Channel)}{amount} " +
               $"at {ProtoValues.Format(touchpoint.OccurredAt)} (event {touchpoint.EventId})";
    }
}

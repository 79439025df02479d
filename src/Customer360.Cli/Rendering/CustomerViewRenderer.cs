using Customer360.Api.V1;
using Customer360.Cli.Mapping;
using Spectre.Console;
using Spectre.Console.Rendering;
using Profile = Customer360.Api.V1.Profile;

namespace Customer360.Cli.Rendering;

/// <summary>The 360 view as people read it: profile, figures, value, segments, recent touchpoints.</summary>
internal static class CustomerViewRenderer
{
    public static void Write(IAnsiConsole console, CustomerView view)
    {
        console.Write(new Rule($"[bold]Customer {Markup.Escape(view.CustomerId)}[/] [grey]version {view.Version}[/]").LeftJustified());
        console.MarkupLineInterpolated(
            $"[grey]created {ProtoValues.Format(view.CreatedAt)}, updated {ProtoValues.Format(view.UpdatedAt)}[/]");
        console.Write(new Columns(Profile(view.Profile ?? new Profile()), Value(view.Value)) { Expand = false });
        console.Write(Aggregates(view.Aggregates ?? new Aggregates()));
        console.Write(Segments(view.Segments));
        if (view.RecentTouchpoints.Count > 0)
        {
            console.Write(TouchpointTable.Create(view.RecentTouchpoints, console.Profile.Width, "Recent touchpoints"));
        }
        else if (view.Aggregates is { TouchpointCount: > 0 })
        {
            // Asked for without them (--recent 0): the customer has touchpoints all the same.
            console.MarkupLine("[grey]Recent touchpoints left out (c360 touchpoints ID lists them).[/]");
        }
        else
        {
            console.MarkupLine("[grey]No touchpoints yet.[/]");
        }
    }

    public static string TierMarkup(ValueTier tier) => tier switch
    {
        ValueTier.Platinum => "[bold aqua]platinum[/]",
        ValueTier.Gold => "[bold gold1]gold[/]",
        ValueTier.Silver => "[silver]silver[/]",
        ValueTier.Bronze => "[darkorange3]bronze[/]",
        _ => "[grey]none[/]",
    };

    private static Table Profile(Profile profile)
    {
        var table = KeyValueTable("Profile");
        var name = $"{profile.GivenName} {profile.FamilyName}".Trim();
        Add(table, "Name", name.Length > 0 ? name : "-");
        Add(table, "Emails", List(profile.Emails));
        Add(table, "Phones", List(profile.PhoneNumbers));
        Add(table, "Loyalty cards", List(profile.LoyaltyCardIds));
        if (profile.Address is { } address)
        {
            var lines = address.Lines.Append($"{address.PostalCode} {address.Locality}".Trim())
                .Append($"{address.Region} {address.CountryCode}".Trim())
                .Where(line => line.Length > 0);
            Add(table, "Address", string.Join("\n", lines));
        }

        if (profile.Consents.Count > 0)
        {
            Add(table, "Consents", string.Join("\n", profile.Consents.Select(c =>
                $"{FriendlyNames.MarketingChannels.Format(c.Channel)}: {(c.Granted ? "granted" : "refused")} ({ProtoValues.Format(c.UpdatedAt)})")));
        }

        foreach (var (key, value) in profile.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            Add(table, key, value);
        }

        return table;
    }

    private static Table Value(ValueScore? value)
    {
        var table = KeyValueTable("Value");
        if (value is null)
        {
            Add(table, "Score", "-");
            return table;
        }

        Add(table, "Score", ProtoValues.Format(value.Score));
        table.AddRow(new Markup("[grey]Tier[/]"), new Markup(TierMarkup(value.Tier)));
        Add(table, "Model", value.Fallback ? $"{value.Model} (fallback: no value model fitted yet)" : value.Model);
        Add(table, "Computed", ProtoValues.Format(value.ComputedAt));
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (value.Figures is { } figures)
        {
            Add(table, "P(alive)", figures.ProbabilityAlive.ToString("0.000", invariant));
            Add(table, "Expected purchases, 90 days", figures.ExpectedPurchases90Days.ToString("0.00", invariant));
            Add(table, "Expected purchases, 12 months", figures.ExpectedPurchases12Months.ToString("0.00", invariant));
            Add(table, "Expected spend per purchase", ProtoValues.Format(figures.ExpectedSpendPerPurchase));
            Add(table, "Lifetime value (CLV)", ProtoValues.Format(figures.LifetimeValue));
        }

        if (value.Rfm is { } rfm)
        {
            Add(table, "RFM (recency, frequency, monetary)", $"{rfm.Recency} {rfm.Frequency} {rfm.Monetary}");
        }

        if (value.Inputs is { } inputs)
        {
            Add(table, "Repeat purchases (x)", inputs.RepeatPurchases.ToString("N0", invariant));
            Add(table, "Weeks to last repeat (t_x)", inputs.WeeksToLastRepeat.ToString("0.0", invariant));
            Add(table, "Weeks since first (T)", inputs.WeeksSinceFirstPurchase.ToString("0.0", invariant));
            Add(table, "Mean repeat value", ProtoValues.Format(inputs.MeanRepeatValue));
        }

        return table;
    }

    private static IRenderable Aggregates(Aggregates aggregates)
    {
        var figures = KeyValueTable("Aggregates");
        Add(figures, "Touchpoints", aggregates.TouchpointCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        Add(figures, "Orders", aggregates.OrderCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        Add(figures, "Gross purchases", ProtoValues.Format(aggregates.GrossPurchases));
        Add(figures, "Returns", ProtoValues.Format(aggregates.TotalReturns));
        Add(figures, "Net spend", ProtoValues.Format(aggregates.NetSpend));
        Add(figures, "Average order", ProtoValues.Format(aggregates.AverageOrderValue));
        Add(figures, "First purchase", ProtoValues.Format(aggregates.FirstPurchaseAt));
        Add(figures, "Last purchase", ProtoValues.Format(aggregates.LastPurchaseAt));
        Add(figures, "Purchase days", aggregates.DistinctPurchaseDays.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add(figures, "Last contact", ProtoValues.Format(aggregates.LastContactAt));
        Add(figures, "Preferred channel", FriendlyNames.Channels.Format(aggregates.PreferredChannel));

        var byChannel = CountTable("Channel", aggregates.ByChannel.OrderByDescending(c => c.Count)
            .Select(c => (FriendlyNames.Channels.Format(c.Channel), c.Count)));
        var byKind = CountTable("Kind", aggregates.ByKind.OrderByDescending(k => k.Count)
            .Select(k => (FriendlyNames.Kinds.Format(k.Kind), k.Count)));
        if (aggregates.ByChannel.Count == 0 && aggregates.ByKind.Count == 0)
        {
            return figures;
        }

        return new Table().Border(TableBorder.None).HideHeaders().AddColumns("", "", "").AddRow(figures, byChannel, byKind);
    }

    private static IRenderable Segments(IEnumerable<string> segments)
    {
        var list = segments.ToList();
        return list.Count == 0
            ? new Markup("[grey]Segments: none[/]\n")
            : new Markup($"[bold]Segments:[/] {Markup.Escape(string.Join("  ", list))}\n");
    }

    private static Table CountTable(string title, IEnumerable<(string Name, long Count)> rows)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn(title).AddColumn(new TableColumn("Count").RightAligned());
        foreach (var (name, count) in rows)
        {
            table.AddRow(new Text(name), new Text(count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));
        }

        return table;
    }

    private static Table KeyValueTable(string title) =>
        new Table().Border(TableBorder.Rounded).Title($"[bold]{title}[/]").HideHeaders().AddColumn("").AddColumn("");

    private static void Add(Table table, string key, string value) =>
        table.AddRow(new Markup($"[grey]{Markup.Escape(key)}[/]"), new Text(value.Length > 0 ? value : "-"));

    private static string List(IEnumerable<string> values)
    {
        var text = string.Join("\n", values);
        return text.Length > 0 ? text : "-";
    }
}

using System.Globalization;
using Customer360.Api.V1;
using Customer360.Cli.Mapping;
using Spectre.Console;

namespace Customer360.Cli.Rendering;

/// <summary>The value model, its status and backtests as tables.</summary>
internal static class ValueModelRenderer
{
    // The weekly tracking table shows at most about this many rows; longer holdouts show every
    // k-th week, always with the last.
    private const int MaxWeekRows = 26;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Write(IAnsiConsole console, ValueModelStatus status)
    {
        if (status.Fitted && status.Model is { } model)
        {
            Write(console, model);
        }
        else
        {
            console.MarkupLine("[yellow]No value model fitted yet[/]: customers carry the fallback score (net spend over 365 days).");
        }

        if (status.Fitting)
        {
            console.MarkupLine("[grey]A fit is running.[/]");
        }

        if (status.LastFailure.Length > 0)
        {
            console.MarkupLineInterpolated($"[red]Last fit failed[/] at {ProtoValues.Format(status.LastFailureAt)}: {status.LastFailure}");
        }

        if (status.NextFitAt is { } next)
        {
            console.MarkupLineInterpolated($"[grey]Next scheduled fit:[/] {ProtoValues.Format(next)}");
        }

        if (status.Sweep is { } sweep)
        {
            console.MarkupLineInterpolated($"Rescoring with v{sweep.ModelVersion} as of {sweep.Day}: {Progress(sweep)}");
            if (sweep.LastError.Length > 0 && sweep.CompletedAt is null)
            {
                console.MarkupLineInterpolated($"[red]The sweep stopped short[/] after {sweep.Cursor}: {sweep.LastError} (it resumes on its own)");
            }
            else if (sweep.LastError.Length > 0 && sweep.NotReached > 0)
            {
                console.MarkupLineInterpolated($"[yellow]Not reached:[/] {sweep.LastError}");
            }
        }
    }

    /// <summary>How far the re-scoring sweep is: "done at …" or "n of m customers (p%)".</summary>
    internal static string Progress(RescoringSweep sweep)
    {
        var reached = string.Create(Invariant, $"{sweep.Visited:N0} customers reached, {sweep.Rescored:N0} rescored");
        if (sweep.RescoredWithoutActivation > 0)
        {
            reached += string.Create(Invariant, $" ({sweep.RescoredWithoutActivation:N0} without waking them)");
        }

        if (sweep.NotReached > 0)
        {
            reached += string.Create(Invariant, $", {sweep.NotReached:N0} not reached");
        }

        if (sweep.CompletedAt is { } completed)
        {
            return $"done at {ProtoValues.Format(completed)}, {reached}";
        }

        var share = sweep.Customers > 0 ? Math.Min(100.0, 100.0 * sweep.Visited / sweep.Customers) : 100.0;
        return string.Create(Invariant, $"{share:F0}% of {sweep.Customers:N0} ({reached}), started {ProtoValues.Format(sweep.StartedAt)}");
    }

    public static void Write(IAnsiConsole console, ValueModel model)
    {
        console.Write(new Rule($"[bold]Value model v{model.Version}[/]").LeftJustified());
        var figures = KeyValueTable();
        Add(figures, "Fitted", ProtoValues.Format(model.FittedAt));
        Add(figures, "Calibration end", ProtoValues.Format(model.CalibrationEnd));
        Add(figures, "Customers", model.Customers.ToString("N0", Invariant));
        Add(figures, "CLV horizon", $"{model.HorizonMonths} months at {model.AnnualDiscountRate.ToString("0.##%", Invariant)} a year");
        if (model.Tiers is { } tiers)
        {
            Add(figures, "Tiers from", $"platinum {ProtoValues.Format(tiers.Platinum)}, gold {ProtoValues.Format(tiers.Gold)}, silver {ProtoValues.Format(tiers.Silver)}");
        }

        Add(figures, "Reading took", Seconds(model.ReadSeconds));
        Add(figures, "Fit took", Seconds(model.FitSeconds));
        console.Write(figures);
        console.Write(Parameters(model.Purchasing, model.Spending));
        WriteLimits(console, model.Purchasing, model.Spending);
    }

    public static void Write(IAnsiConsole console, BacktestReport report)
    {
        console.Write(new Rule(
            $"[bold]Backtest[/]: calibration end {ProtoValues.Format(report.CalibrationEnd)}, {report.HoldoutWeeks}-week holdout to {ProtoValues.Format(report.HoldoutEnd)}").LeftJustified());
        console.Write(Parameters(report.Purchasing, report.Spending));
        WriteLimits(console, report.Purchasing, report.Spending);

        var figures = KeyValueTable();
        Add(figures, "Cohort", $"{report.Customers.ToString("N0", Invariant)} customers with a purchase by the calibration day");
        Add(figures, "Predicted repeat purchases", report.PredictedPurchases.ToString("N1", Invariant));
        Add(figures, "Actual repeat purchases", report.ActualPurchases.ToString("N0", Invariant));
        Add(figures, "Difference", Difference(report.PredictedPurchases, report.ActualPurchases));
        Add(figures, "Correlation per customer", double.IsNaN(report.Correlation) ? "n/a (no spread)" : report.Correlation.ToString("0.000", Invariant));
        Add(figures, "Mean absolute error per customer", double.IsNaN(report.MeanAbsoluteError) ? "n/a" : report.MeanAbsoluteError.ToString("0.000", Invariant));
        Add(figures, "Backtest took", Seconds(report.BacktestSeconds));
        console.Write(figures);
        console.Write(Weeks(report.Weeks));
    }

    private static Table Parameters(ModelFit? purchasing, ModelFit? spending)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Model", "Parameter")
            .AddColumn(new TableColumn("Value").RightAligned())
            .AddColumn(new TableColumn("Std. error").RightAligned())
            .AddColumn("Fit");
        foreach (var fit in new[] { purchasing, spending }.OfType<ModelFit>())
        {
            var summary = fit.Limit == ModelLimit.NoSpread
                ? $"no spread: one value over {fit.Customers.ToString("N0", Invariant)} customers"
                : $"log-likelihood {fit.LogLikelihood.ToString("N1", Invariant)} over {fit.Customers.ToString("N0", Invariant)} customers, "
                    + (fit.Limit != ModelLimit.None ? "at a limit of the model"
                        : fit.Converged ? $"converged in {fit.Iterations} iterations" : $"not converged after {fit.Iterations} iterations");
            for (var i = 0; i < fit.Parameters.Count; i++)
            {
                var parameter = fit.Parameters[i];
                table.AddRow(
                    new Text(i == 0 ? fit.Model : string.Empty),
                    new Text(parameter.Name),
                    new Text(parameter.Value.ToString("0.0000", Invariant)),
                    new Text(parameter.StandardError > 0 ? parameter.StandardError.ToString("0.0000", Invariant) : "-"),
                    new Markup(i == 0 ? $"[grey]{Markup.Escape(summary)}[/]" : string.Empty));
            }
        }

        return table;
    }

    /// <summary>A line for each model fitted at a limit of itself (flat spend, say): which limit, and why.</summary>
    private static void WriteLimits(IAnsiConsole console, params ModelFit?[] fits)
    {
        foreach (var fit in fits.OfType<ModelFit>().Where(f => f.Limit != ModelLimit.None))
        {
            console.MarkupLineInterpolated($"[yellow]{fit.Model} is at a limit of the model[/] ({Limit(fit.Limit)}): {fit.LimitReason}");
        }
    }

    private static string Limit(ModelLimit limit) => limit switch
    {
        ModelLimit.NoSpreadWithinCustomers => "no spread within customers",
        ModelLimit.NoSpreadBetweenCustomers => "no spread between customers",
        ModelLimit.NoSpread => "no spread at all",
        _ => limit.ToString(),
    };

    private static Table Weeks(IReadOnlyList<BacktestWeek> weeks)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Cumulative repeat purchases[/]")
            .AddColumn(new TableColumn("Week").RightAligned())
            .AddColumn(new TableColumn("Predicted").RightAligned())
            .AddColumn(new TableColumn("Actual").RightAligned())
            .AddColumn(new TableColumn("Difference").RightAligned());
        var step = Math.Max(1, (int)Math.Ceiling(weeks.Count / (double)MaxWeekRows));
        for (var i = 0; i < weeks.Count; i++)
        {
            if ((i + 1) % step != 0 && i != weeks.Count - 1)
            {
                continue;
            }

            var week = weeks[i];
            table.AddRow(
                new Text(week.Week.ToString(Invariant)),
                new Text(week.PredictedCumulative.ToString("N1", Invariant)),
                new Text(week.ActualCumulative.ToString("N0", Invariant)),
                new Text(Difference(week.PredictedCumulative, week.ActualCumulative)));
        }

        return table;
    }

    /// <summary>Predicted − actual, and relative to actual when there is any.</summary>
    private static string Difference(double predicted, long actual)
    {
        var difference = predicted - actual;
        var text = difference.ToString("+0.0;-0.0;0.0", Invariant);
        return actual > 0 ? $"{text} ({(difference / actual).ToString("+0.0%;-0.0%;0.0%", Invariant)})" : text;
    }

    private static string Seconds(double seconds) => seconds.ToString("0.00", Invariant) + " s";

    private static Table KeyValueTable() =>
        new Table().Border(TableBorder.Rounded).HideHeaders().AddColumn("").AddColumn("");

    private static void Add(Table table, string key, string value) =>
        table.AddRow(new Markup($"[grey]{Markup.Escape(key)}[/]"), new Text(value.Length > 0 ? value : "-"));
}

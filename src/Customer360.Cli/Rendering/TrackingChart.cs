using System.Globalization;
using Customer360.Api.V1;
using Customer360.Cli.Infrastructure;
using ScottPlot;

namespace Customer360.Cli.Rendering;

/// <summary>The image formats a chart can be saved in, chosen by the file's extension.</summary>
internal enum ChartFormat
{
    Svg,
    Png,
}

/// <summary>
/// A backtest's tracking chart: the cohort's cumulative repeat purchases week by week through
/// the holdout, as the model predicted them and as they happened, from week 0 (the calibration
/// day) to the end of the holdout. Drawn with ScottPlot, as SVG or PNG.
/// </summary>
internal static class TrackingChart
{
    public const int Width = 960;
    public const int Height = 560;

    /// <summary>The predicted series' colour, also how a test finds the line in an SVG.</summary>
    public const string PredictedColor = "#1F77B4";

    /// <summary>The actual series' colour.</summary>
    public const string ActualColor = "#D62728";

    public const string Extensions = ".svg or .png";

    // ScottPlot's own guess at a sans-serif font takes the first installed family when it knows
    // none of them (a serif one on a bare Linux); a common sans-serif family reads better.
    private static readonly string[] SansFamilies = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica", "Segoe UI"];

    private static readonly Lazy<string> Family = new(() =>
    {
        var installed = SkiaSharp.SKFontManager.Default.FontFamilies.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return SansFamilies.FirstOrDefault(installed.Contains) ?? Fonts.Sans;
    });

    private static string FontFamily => Family.Value;

    /// <summary>The format for <paramref name="path"/>'s extension, in any case; null for any other extension.</summary>
    public static ChartFormat? FormatOf(string path) =>
        Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".svg" => ChartFormat.Svg,
            ".png" => ChartFormat.Png,
            _ => null,
        };

    /// <summary>Draws the chart of <paramref name="report"/> into <paramref name="path"/>, replacing the file.</summary>
    /// <exception cref="UserInputException">The path does not end in .svg or .png.</exception>
    public static void Save(BacktestReport report, string path)
    {
        var format = FormatOf(path) ?? throw new UserInputException(UnsupportedExtension(path));
        using var plot = Build(report);
        var full = Path.GetFullPath(path);
        _ = format == ChartFormat.Svg ? plot.SaveSvg(full, Width, Height) : plot.SavePng(full, Width, Height);
    }

    public static string UnsupportedExtension(string path) =>
        $"--chart: '{path}' must end in {Extensions}; the image format is taken from the extension";

    private static Plot Build(BacktestReport report)
    {
        // Week 0 is the calibration day, where both series start at 0.
        var weeks = report.Weeks.OrderBy(w => w.Week).ToList();
        double[] x = [0, .. weeks.Select(w => (double)w.Week)];
        double[] predicted = [0, .. weeks.Select(w => w.PredictedCumulative)];
        double[] actual = [0, .. weeks.Select(w => (double)w.ActualCumulative)];

        var plot = new Plot();
        plot.Font.Set(FontFamily);
        var markers = weeks.Count <= 60 ? 5 : 0;

        var model = plot.Add.Scatter(x, predicted, Color.FromHex(PredictedColor));
        model.LegendText = "Predicted (BG/NBD)";
        model.LineWidth = 2;
        model.LinePattern = LinePattern.Dashed;
        model.MarkerSize = markers;

        var seen = plot.Add.Scatter(x, actual, Color.FromHex(ActualColor));
        seen.LegendText = "Actual";
        seen.LineWidth = 2;
        seen.MarkerSize = markers;

        var calibrationDay = report.CalibrationEnd?.ToDateTimeOffset().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "?";
        plot.Title($"Tracking: cumulative repeat purchases, calibration end {calibrationDay}");
        plot.XLabel($"Weeks after the calibration day ({report.HoldoutWeeks}-week holdout)");
        plot.YLabel($"Cumulative repeat purchases ({report.Customers.ToString("N0", CultureInfo.InvariantCulture)} customers)");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.SetLimitsX(0, Math.Max(1, weeks.Count) * 1.02);
        plot.Axes.SetLimitsY(0, Math.Max(1, Math.Max(predicted.Max(), actual.Max()) * 1.05));
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }
}

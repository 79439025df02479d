using System.Globalization;
using System.Xml.Linq;
using Customer360.Api.V1;
using Customer360.Cli.Infrastructure;
using Customer360.Cli.Rendering;
using Google.Protobuf.WellKnownTypes;
using Spectre.Console;

namespace Customer360.Cli.Tests;

public sealed class TrackingChartTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("c360-chart-");

    public void Dispose() => _folder.Delete(recursive: true);

    /// <summary>A 12-week backtest as the server reports it.</summary>
    private static BacktestReport Report()
    {
        var report = new BacktestReport
        {
            CalibrationEnd = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 6, 30, 23, 59, 59, TimeSpan.Zero)),
            HoldoutWeeks = 12,
            HoldoutEnd = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 9, 22, 23, 59, 59, TimeSpan.Zero)),
            Customers = 2357,
            Purchasing = new ModelFit { Model = "BG/NBD", Converged = true, Iterations = 31, Customers = 2357, LogLikelihood = -9582.4 },
            Spending = new ModelFit { Model = "Gamma-Gamma", Converged = true, Iterations = 20, Customers = 946, LogLikelihood = -4005.1 },
            PredictedPurchases = 12 * 31.5,
            ActualPurchases = 371,
            Correlation = 0.61,
            MeanAbsoluteError = 0.42,
        };
        report.Purchasing.Parameters.Add(new ModelParameter { Name = "r", Value = 0.243, StandardError = 0.013 });
        for (var w = 1; w <= 12; w++)
        {
            report.Weeks.Add(new BacktestWeek { Week = w, PredictedCumulative = w * 31.5, ActualCumulative = w == 12 ? 371 : w * 30 });
        }

        return report;
    }

    [Fact]
    public void ThePngChartIsAPngImage()
    {
        var path = Path.Combine(_folder.FullName, "tracking.png");

        TrackingChart.Save(Report(), path);

        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 1000, $"only {bytes.Length} bytes");
        Assert.Equal(PngSignature, bytes[..8]);
        // The IHDR chunk: the image is the chart's size.
        Assert.Equal(TrackingChart.Width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(TrackingChart.Height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    [Fact]
    public void TheSvgChartIsXmlWithBothSeriesTheirLegendTheAxesAndTheCalibrationEnd()
    {
        var path = Path.Combine(_folder.FullName, "Tracking.SVG");

        TrackingChart.Save(Report(), path);

        var svg = XDocument.Load(path);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Root!.Name);
        var texts = svg.Descendants(ns + "text").Select(t => t.Value.Trim()).ToList();
        Assert.Contains("Predicted (BG/NBD)", texts);
        Assert.Contains("Actual", texts);
        Assert.Contains(texts, t => t.Contains("calibration end 2025-06-30", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("Weeks after the calibration day", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("Cumulative repeat purchases", StringComparison.Ordinal));

        // Each series is a line in its own colour (stroked, or filled dash by dash) with a
        // marker at week 0 and at each of the 12 weeks, besides the one in the legend.
        foreach (var color in new[] { TrackingChart.PredictedColor, TrackingChart.ActualColor })
        {
            bool InColor(XElement e, string attribute) => string.Equals((string?)e.Attribute(attribute), color, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(svg.Descendants(ns + "path"), p => InColor(p, "stroke") || InColor(p, "fill"));
            Assert.Equal(13 + 1, svg.Descendants(ns + "ellipse").Count(e => InColor(e, "fill")));
        }
    }

    [Theory]
    [InlineData("chart.jpg")]
    [InlineData("chart")]
    [InlineData("chart.svg.txt")]
    public void OtherExtensionsAreRefusedBeforeAnythingIsWritten(string name)
    {
        var path = Path.Combine(_folder.FullName, name);

        var refused = Assert.Throws<UserInputException>(() => TrackingChart.Save(Report(), path));

        Assert.Contains(".svg or .png", refused.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.Contains(
            CliApplication.Create().Parse($"model backtest --calibration-end 2025-06-30 --holdout-weeks 4 --chart {name}").Errors,
            e => e.Message.Contains(".svg or .png", StringComparison.Ordinal));
    }

    [Fact]
    public void TheBacktestTableShowsTheTotalsAgreementAndTheLastWeek()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 160;

        ValueModelRenderer.Write(console, Report());

        var text = output.ToString();
        Assert.Contains("378.0", text, StringComparison.Ordinal);
        Assert.Contains("371", text, StringComparison.Ordinal);
        Assert.Contains("+7.0 (+1.9%)", text, StringComparison.Ordinal);
        Assert.Contains("0.610", text, StringComparison.Ordinal);
        Assert.Contains("BG/NBD", text, StringComparison.Ordinal);
    }
}

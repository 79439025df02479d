using System.Globalization;
using Customer360.Api.V1;
using Customer360.Cli.Rendering;
using Google.Protobuf.WellKnownTypes;
using Spectre.Console;

namespace Customer360.Cli.Tests;

public sealed class ValueModelStatusTests
{
    private static readonly DateTimeOffset Started = new(2026, 11, 23, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ARunningSweepShowsItsShareOfTheCustomersAndWhatItReached()
    {
        var sweep = new RescoringSweep { ModelVersion = 4, Day = "2026-11-23", StartedAt = Timestamp.FromDateTimeOffset(Started), Customers = 80_000, Visited = 20_000, Rescored = 19_500 };

        var text = Render(new ValueModelStatus { Fitted = false, Sweep = sweep });

        Assert.Contains("Rescoring with v4 as of 2026-11-23", text, StringComparison.Ordinal);
        Assert.Contains("25% of 80,000 (20,000 customers reached, 19,500 rescored)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ACompletedSweepSaysSoAndAnErrorIsShownOnlyWhileItIsUnfinished()
    {
        var sweep = new RescoringSweep
        {
            ModelVersion = 4, Day = "2026-11-23", StartedAt = Timestamp.FromDateTimeOffset(Started), Customers = 100, Visited = 120, Rescored = 3,
            CompletedAt = Timestamp.FromDateTimeOffset(Started.AddMinutes(1)), LastError = "store unavailable",
        };

        var done = ValueModelRenderer.Progress(sweep);
        Assert.StartsWith("done at ", done, StringComparison.Ordinal);
        Assert.EndsWith("120 customers reached, 3 rescored", done, StringComparison.Ordinal);
        Assert.DoesNotContain("stopped short", Render(new ValueModelStatus { Sweep = sweep }), StringComparison.Ordinal);

        sweep.CompletedAt = null;
        sweep.Cursor = "c-17";
        Assert.Contains("stopped short after c-17: store unavailable", Render(new ValueModelStatus { Sweep = sweep }), StringComparison.Ordinal);
    }

    [Fact]
    public void CustomersRescoredWithoutWakingThemAreCountedApart()
    {
        var sweep = new RescoringSweep
        {
            ModelVersion = 2, Day = "2026-11-23", StartedAt = Timestamp.FromDateTimeOffset(Started), Customers = 1_000, Visited = 1_000, Rescored = 1_000,
            RescoredWithoutActivation = 960, CompletedAt = Timestamp.FromDateTimeOffset(Started.AddSeconds(2)),
        };

        Assert.EndsWith("1,000 customers reached, 1,000 rescored (960 without waking them)", ValueModelRenderer.Progress(sweep), StringComparison.Ordinal);
    }

    [Fact]
    public void CustomersTheSweepCouldNotReachAreCountedAndNamedOnceItCompleted()
    {
        var sweep = new RescoringSweep
        {
            ModelVersion = 2, Day = "2026-11-23", StartedAt = Timestamp.FromDateTimeOffset(Started), Customers = 1_000, Visited = 1_000, Rescored = 998,
            NotReached = 2, CompletedAt = Timestamp.FromDateTimeOffset(Started.AddSeconds(2)),
            LastError = "2 customer(s) could not be rescored, such as c-3, c-7",
        };

        var text = Render(new ValueModelStatus { Sweep = sweep });

        Assert.Contains("1,000 customers reached, 998 rescored, 2 not reached", text, StringComparison.Ordinal);
        Assert.Contains("Not reached: 2 customer(s) could not be rescored, such as c-3, c-7", text, StringComparison.Ordinal);
        Assert.DoesNotContain("stopped short", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AModelShowsHowLongReadingAndFittingTookApart()
    {
        var model = new ValueModel
        {
            Version = 3, FittedAt = Timestamp.FromDateTimeOffset(Started), CalibrationEnd = Timestamp.FromDateTimeOffset(Started),
            Customers = 60_000, HorizonMonths = 12, AnnualDiscountRate = 0.1, ReadSeconds = 0.734, FitSeconds = 0.118,
        };

        var text = Rendered(console => ValueModelRenderer.Write(console, model));

        Assert.Matches(@"Reading took\s*│\s*0\.73 s", text);
        Assert.Matches(@"Fit took\s*│\s*0\.12 s", text);
    }

    [Fact]
    public void ASpendModelAtALimitSaysWhichAndWhy()
    {
        var spending = new ModelFit
        {
            Model = "Gamma-Gamma", Customers = 946, LogLikelihood = -3120.5, Converged = true, Iterations = 2031,
            Limit = ModelLimit.NoSpreadWithinCustomers, LimitReason = "no spread within customers (p → ∞, p·gamma → 62.8): a customer's expected spend is their own mean",
        };
        spending.Parameters.Add(new ModelParameter { Name = "q", Value = 4.84, StandardError = 0.04 });
        spending.Parameters.Add(new ModelParameter { Name = "p_gamma", Value = 62.78, StandardError = 0.57 });
        var model = new ValueModel
        {
            Version = 1, FittedAt = Timestamp.FromDateTimeOffset(Started), CalibrationEnd = Timestamp.FromDateTimeOffset(Started),
            Customers = 2_000, HorizonMonths = 12, AnnualDiscountRate = 0.1, Spending = spending,
        };

        var text = Rendered(console => ValueModelRenderer.Write(console, model));

        Assert.Contains("Gamma-Gamma is at a limit of the model (no spread within customers): no spread within customers (p → ∞", text, StringComparison.Ordinal);
        Assert.Contains("at a limit of the model", text, StringComparison.Ordinal);
        Assert.Matches(@"p_gamma\s*│\s*62\.7800", text);
    }

    private static string Render(ValueModelStatus status) => Rendered(console => ValueModelRenderer.Write(console, status));

    private static string Rendered(Action<IAnsiConsole> write)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 200;
        write(console);
        return output.ToString();
    }
}

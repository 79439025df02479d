using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Customer360.Api.V1;
using Customer360.Cli.Infrastructure;
using Customer360.Cli.Mapping;
using Customer360.Cli.Rendering;
using Google.Protobuf.WellKnownTypes;
using Spectre.Console;

namespace Customer360.Cli.Commands;

/// <summary>
/// <c>c360 model fit|show|backtest</c>: the lifetime-value models (BG/NBD and Gamma-Gamma) every
/// customer is scored with.
/// </summary>
internal static class ModelCommand
{
    /// <summary>The longest holdout the server backtests, in weeks.</summary>
    public const int MaxHoldoutWeeks = 520;

    public static Command Create(GlobalOptions global) =>
        new("model", "The lifetime-value models customers are scored with: fit them, show them, backtest them")
        {
            Fit(global),
            Show(global),
            Backtest(global),
        };

    private static Command Fit(GlobalOptions global)
    {
        var calibrationEnd = CalibrationEnd("Fit on touchpoints up to this time (default now)", required: false);
        var command = new Command("fit", "Fit the models now and make them current: every customer is rescored") { calibrationEnd };
        command.SetHandler(global, async (parseResult, context) =>
        {
            var model = await context.ValueModels.FitValueModelAsync(
                new FitValueModelRequest { CalibrationEnd = parseResult.GetValue(calibrationEnd) },
                cancellationToken: context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(model);
            }
            else
            {
                ValueModelRenderer.Write(context.Out, model);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(GlobalOptions global)
    {
        var command = new Command("show", "Show the current model, its parameters and how the last fit went");
        command.SetHandler(global, async (_, context) =>
        {
            var status = await context.ValueModels.GetValueModelAsync(new GetValueModelRequest(), cancellationToken: context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(status);
            }
            else
            {
                ValueModelRenderer.Write(context.Out, status);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Backtest(GlobalOptions global)
    {
        var calibrationEnd = CalibrationEnd("End of the calibration period: the models are fitted on the history up to this day", required: true);
        var holdoutWeeks = new Option<int>("--holdout-weeks")
        {
            Description = $"Weeks after the calibration day to predict and compare, 1..{MaxHoldoutWeeks}; they must be over",
            Required = true,
        };
        holdoutWeeks.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > MaxHoldoutWeeks)
            {
                result.AddError($"--holdout-weeks must be between 1 and {MaxHoldoutWeeks}");
            }
        });
        var chart = new Option<FileInfo>("--chart")
        {
            Description = $"Also draw the tracking chart (cumulative predicted and actual repeat purchases per week) into this file, {TrackingChart.Extensions}",
            HelpName = "file",
        };
        chart.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<FileInfo>() is { } file && TrackingChart.FormatOf(file.Name) is null)
            {
                result.AddError(TrackingChart.UnsupportedExtension(file.ToString()));
            }
        });

        var command = new Command(
            "backtest",
            "Fit the models on the history up to a past day and compare their predictions for the following weeks with what customers did. The current model is not changed.")
        {
            calibrationEnd, holdoutWeeks, chart,
        };
        command.SetHandler(global, async (parseResult, context) =>
        {
            var report = await context.ValueModels.BacktestAsync(
                new BacktestRequest { CalibrationEnd = parseResult.GetValue(calibrationEnd), HoldoutWeeks = parseResult.GetValue(holdoutWeeks) },
                cancellationToken: context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(report);
            }
            else
            {
                ValueModelRenderer.Write(context.Out, report);
            }

            if (parseResult.GetValue(chart) is { } file)
            {
                TrackingChart.Save(report, file.FullName);
                if (!context.Json)
                {
                    context.Out.MarkupLineInterpolated($"Tracking chart written to [bold]{file.FullName}[/]");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// <c>--calibration-end</c>: an ISO-8601 time with an offset, or a date, which means the end of
    /// that UTC day (so <c>2025-06-30</c> takes in every touchpoint of June 30).
    /// </summary>
    private static Option<Timestamp?> CalibrationEnd(string description, bool required) =>
        new("--calibration-end")
        {
            Description = $"{description}. An ISO-8601 time with offset, or a date for the end of that UTC day",
            HelpName = "date|iso-8601",
            Required = required,
            CustomParser = ParseCalibrationEnd,
        };

    private static Timestamp? ParseCalibrationEnd(ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return null;
        }

        var text = result.Tokens[^1].Value.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return Timestamp.FromDateTimeOffset(new DateTimeOffset(date.ToDateTime(TimeOnly.MaxValue), TimeSpan.Zero));
        }

        try
        {
            return ProtoValues.ParseTimestamp(text);
        }
        catch (FormatException)
        {
            result.AddError($"--calibration-end: '{text}' is neither a date (2025-06-30) nor a time with an offset (2025-06-30T18:00:00Z)");
            return null;
        }
    }
}

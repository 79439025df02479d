using System.CommandLine;
using Customer360.Cli.Infrastructure;
using Customer360.Cli.Mapping;
using Customer360.Cli.Seeds;
using Spectre.Console;

namespace Customer360.Cli.Commands;

/// <summary><c>c360 seeds generate</c>: writes a reproducible demo data set; needs no server.</summary>
internal static class SeedsCommand
{
    public static Command Create(GlobalOptions global)
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for touchpoints.csv and profiles.jsonl", Required = true };
        var customers = new Option<int>("--customers") { Description = "Number of customers", DefaultValueFactory = _ => SeedOptions.DefaultCustomers };
        var touchpoints = new Option<int>("--touchpoints") { Description = "Number of touchpoints, at least one per customer", DefaultValueFactory = _ => SeedOptions.DefaultTouchpoints };
        var seed = new Option<ulong>("--seed") { Description = "Same seed, same files", DefaultValueFactory = _ => SeedOptions.DefaultSeed };
        var reference = Options.Timestamp("--reference", $"End of the period covered (default {ProtoValues.FormatIso(Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(SeedOptions.DefaultReference))})");
        var days = new Option<int>("--days") { Description = "Length of the period covered, in days", DefaultValueFactory = _ => 730 };

        var generate = new Command("generate", "Write touchpoints.csv (for c360 import) and profiles.jsonl (for c360 import-profiles)")
        {
            output, customers, touchpoints, seed, reference, days,
        };
        generate.SetHandler(global, (parseResult, context) =>
        {
            SeedOptions options;
            try
            {
                options = new SeedOptions(
                    parseResult.GetValue(customers),
                    parseResult.GetValue(touchpoints),
                    parseResult.GetValue(seed),
                    parseResult.GetValue(reference)?.ToDateTimeOffset() ?? SeedOptions.DefaultReference,
                    parseResult.GetValue(days));
                var (touchpointsPath, profilesPath) = new SeedGenerator(options).WriteTo(parseResult.GetRequiredValue(output).FullName);
                if (!context.Json)
                {
                    context.Out.MarkupLineInterpolated($"Wrote [bold]{touchpointsPath}[/] ({options.Touchpoints:N0} touchpoints)");
                    context.Out.MarkupLineInterpolated($"Wrote [bold]{profilesPath}[/] ({options.Customers:N0} profiles)");
                }
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new UserInputException(ex.Message);
            }

            return Task.FromResult(ExitCodes.Ok);
        });

        return new Command("seeds", "Demo and test data sets") { generate };
    }
}

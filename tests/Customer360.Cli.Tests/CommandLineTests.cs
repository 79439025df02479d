using Customer360.Api.V1;
using Customer360.Cli.Infrastructure;

namespace Customer360.Cli.Tests;

public class CommandLineTests
{
    [Theory]
    [InlineData("touch --customer C1 --channel point_of_sale --kind purchase --amount 12.50")]
    [InlineData("touch --customer C1 --channel Point-Of-Sale --kind PURCHASE --at 2026-03-01T10:15:00Z")]
    [InlineData("touchpoints C1 --channel web --channel email --kind visit --page-size 10")]
    [InlineData("get C000123 --server http://localhost:5000 --json")]
    [InlineData("get C000123 --recent 0")]
    [InlineData("watch C000123 --full --recent 5")]
    [InlineData("--json segments")]
    [InlineData("segment tier:gold --top 5")]
    [InlineData("segment tier:gold")]
    [InlineData("segment tier:gold --top 1 --watch")]
    [InlineData("import seeds/touchpoints.csv --window 16")]
    [InlineData("import-transactions seeds/transactions-sample.txt --currency usd --channel web --source cdnow --customer-prefix cd- --columns customer,date,quantity,amount")]
    [InlineData("profile C1 --given-name Anna --email a@example.com --set vip=yes --consent email=yes")]
    [InlineData("seeds generate --out /tmp/seeds --customers 10 --touchpoints 50 --seed 7")]
    [InlineData("model fit")]
    [InlineData("model fit --calibration-end 2025-06-30T18:00:00Z")]
    [InlineData("model show --json")]
    [InlineData("model backtest --calibration-end 2025-06-30 --holdout-weeks 39 --chart tracking.png")]
    [InlineData("model backtest --calibration-end 2025-06-30T00:00:00+02:00 --holdout-weeks 520 --chart out/Tracking.SVG")]
    public void CommandsParseWithFriendlyNames(string line)
    {
        var result = CliApplication.Create().Parse(line);
        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("touch --customer C1 --channel till --kind purchase", "'till' is not one of point_of_sale")]
    [InlineData("touch --customer C1 --channel web --kind browse", "'browse' is not one of purchase")]
    [InlineData("touch --customer C1 --channel web --kind visit --at yesterday", "not a timestamp")]
    [InlineData("touch --channel web --kind visit", "--customer")]
    [InlineData("import data.csv --window 0", "--window must be between 1 and 1024")]
    [InlineData("get C1 --recent -1", "--recent must not be negative")]
    [InlineData("segment tier:gold --top 0", "--top must be between 1 and 100")]
    [InlineData("segment tier:gold --top 101", "--top must be between 1 and 100")]
    [InlineData("segment tier:gold --top -1", "--top must be between 1 and 100")]
    [InlineData("watch C1 --recent -3", "--recent must not be negative")]
    [InlineData("import-transactions log.txt --window 2000", "--window must be between 1 and 1024")]
    [InlineData("import-transactions log.txt --currency euro", "'euro' is not a currency code")]
    [InlineData("import-transactions log.txt --columns customer,amount", "missing column(s) date")]
    [InlineData("import-transactions log.txt --channel till", "'till' is not one of point_of_sale")]
    [InlineData("model backtest --holdout-weeks 10", "--calibration-end")]
    [InlineData("model backtest --calibration-end 2025-06-30", "--holdout-weeks")]
    [InlineData("model backtest --calibration-end 2025-06-30 --holdout-weeks 0", "--holdout-weeks must be between 1 and 520")]
    [InlineData("model backtest --calibration-end 2025-06-30 --holdout-weeks 521", "--holdout-weeks must be between 1 and 520")]
    [InlineData("model backtest --calibration-end 30/06/2025 --holdout-weeks 4", "is neither a date")]
    [InlineData("model fit --calibration-end 2025-06-30T18:00:00", "is neither a date")]
    [InlineData("model backtest --calibration-end 2025-06-30 --holdout-weeks 4 --chart chart.gif", "must end in .svg or .png")]
    public void BadArgumentsAreReportedBeforeAnythingIsSent(string line, string message)
    {
        var result = CliApplication.Create().Parse(line);
        Assert.Contains(result.Errors, e => e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void RepeatedFilterOptionsCollectEveryValue()
    {
        var root = CliApplication.Create();
        var result = root.Parse("touchpoints C1 --channel web --channel mobile_app");
        var channels = result.GetValue<Channel[]>("--channel");
        Assert.Equal([Channel.Web, Channel.MobileApp], channels);
    }

    [Theory]
    [InlineData("ftp://host")]
    [InlineData("localhost:5360")]
    public void ServerMustBeAnHttpAddress(string server)
    {
        Assert.Throws<UserInputException>(() => GlobalOptions.ParseServer(server));
    }

    [Fact]
    public void ACalibrationEndGivenAsADateIsTheEndOfThatUtcDay()
    {
        var result = CliApplication.Create().Parse("model backtest --calibration-end 2025-06-30 --holdout-weeks 4");

        var end = result.GetValue<Google.Protobuf.WellKnownTypes.Timestamp?>("--calibration-end")!.ToDateTimeOffset();
        Assert.Equal(new DateTimeOffset(2025, 7, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(-1), end);
    }
}

using System.CommandLine;
using Customer360.Api.V1;
using Customer360.Cli.Import;
using Customer360.Cli.Infrastructure;
using Customer360.Cli.Mapping;

namespace Customer360.Cli.Commands;

/// <summary>
/// <c>c360 import-transactions FILE</c>: imports a plain transaction log (customer, date, amount,
/// optional quantity per line) as purchase touchpoints, through the same stream as <c>c360 import</c>.
/// </summary>
internal static class ImportTransactionsCommand
{
    public const string Help =
        "Import a plain transaction log (one purchase per line: customer, date, amount, optional quantity) as purchases. " +
        "Fields are split at tabs if the first line has one, else at commas if it has one, else at runs of spaces. " +
        "The first line is skipped as a header when its date or amount column does not begin with a digit. " +
        "Dates: YYYYMMDD or YYYY-MM-DD (midnight UTC) or YYYY-MM-DDTHH:MM[:SS] (UTC unless an offset is given); amounts: digits with '.'. " +
        "Event ids are txn- and a hash of the line's content (customer, date, amount, quantity) and of how many identical lines precede it, " +
        "never of its line number, so importing the file again, even with lines added, applies nothing twice.";

    public static Command Create(GlobalOptions global)
    {
        var file = new Argument<FileInfo>("file") { Description = "Transaction log: customer, date, amount and an optional quantity per line" };
        var currency = new Option<string>("--currency")
        {
            Description = "ISO-4217 code of every amount in the file",
            DefaultValueFactory = _ => ProtoValues.DefaultCurrency,
        };
        currency.Validators.Add(result => Check(result, () => ProtoValues.CurrencyCode(result.GetValueOrDefault<string>() ?? string.Empty)));
        var channel = Options.Enum("--channel", FriendlyNames.Channels, "Where the purchases were made (default point_of_sale)");
        var source = new Option<string>("--source")
        {
            Description = "Source system stored on every purchase",
            DefaultValueFactory = _ => TransactionLogOptions.DefaultSource,
        };
        var prefix = new Option<string>("--customer-prefix")
        {
            Description = "Put in front of every customer id, e.g. cdnow- (it is part of the id, so of the event ids too)",
            DefaultValueFactory = _ => string.Empty,
        };
        var columns = new Option<string>("--columns")
        {
            Description = "Column order; CDNOW's own file lists the quantity before the amount: customer,date,quantity,amount",
            DefaultValueFactory = _ => "customer,date,amount,quantity",
        };
        columns.Validators.Add(result => Check(result, () => TransactionLog.ParseColumns(result.GetValueOrDefault<string>() ?? string.Empty)));
        var window = ImportCommand.WindowOption();

        var command = new Command("import-transactions", Help)
        {
            file, currency, channel, source, prefix, columns, window,
        };
        command.SetHandler(global, async (parseResult, context) =>
        {
            var path = parseResult.GetRequiredValue(file).FullName;
            if (!File.Exists(path))
            {
                throw new UserInputException($"no such file: {path}");
            }

            var log = new TransactionLog(new TransactionLogOptions(
                ProtoValues.CurrencyCode(parseResult.GetRequiredValue(currency)),
                parseResult.GetValue(channel) is var chosen && chosen != Channel.Unspecified ? chosen : Channel.PointOfSale,
                parseResult.GetValue(source) ?? string.Empty,
                parseResult.GetValue(prefix) ?? string.Empty,
                TransactionLog.ParseColumns(parseResult.GetRequiredValue(columns))));
            var total = log.CountRecords(path);
            using var reader = new StreamReader(path);
            return await ImportCommand.StreamAsync(
                context, log.Read(reader), parseResult.GetValue(window), total, $"Importing {Path.GetFileName(path)}");
        });
        return command;
    }

    private static void Check(System.CommandLine.Parsing.OptionResult result, Action parse)
    {
        try
        {
            parse();
        }
        catch (FormatException ex)
        {
            result.AddError($"{result.Option.Name}: {ex.Message}");
        }
    }
}

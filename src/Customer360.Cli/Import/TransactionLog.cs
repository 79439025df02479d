using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Customer360.Api.V1;
using Customer360.Cli.Mapping;
using Google.Protobuf.WellKnownTypes;

namespace Customer360.Cli.Import;

/// <summary>What separates the fields of a transaction log.</summary>
internal enum TransactionSeparator
{
    Tab,
    Comma,
    WhiteSpace,
}

/// <summary>A column of a plain transaction log.</summary>
internal enum TransactionColumn
{
    Customer,
    Date,
    Amount,
    Quantity,
}

/// <summary>What every purchase of one transaction log shares.</summary>
/// <param name="Currency">ISO-4217 code of every amount in the file.</param>
/// <param name="Channel">Where the purchases were made.</param>
/// <param name="SourceSystem">The system the file came from, stored on every touchpoint.</param>
/// <param name="CustomerPrefix">Put in front of every customer id, e.g. to keep a data set's ids apart from others.</param>
/// <param name="Columns">The order of the columns; quantity may be left out.</param>
internal sealed record TransactionLogOptions(
    string Currency,
    Channel Channel,
    string SourceSystem,
    string CustomerPrefix,
    IReadOnlyList<TransactionColumn> Columns)
{
    public const string DefaultSource = "transaction-log";

    public static IReadOnlyList<TransactionColumn> DefaultColumns { get; } =
        [TransactionColumn.Customer, TransactionColumn.Date, TransactionColumn.Amount, TransactionColumn.Quantity];

    public static TransactionLogOptions Default { get; } =
        new(ProtoValues.DefaultCurrency, Channel.PointOfSale, DefaultSource, string.Empty, DefaultColumns);
}

/// <summary>
/// A plain transaction log as analysts keep one for lifetime-value work: one purchase per line,
/// customer id, date, amount and an optional quantity. Each line becomes one purchase touchpoint.
/// </summary>
/// <remarks>
/// <para>The separator is decided once per file, by its first non-blank line: tabs if it has a
/// tab, else commas (quoted fields as in CSV) if it has a comma, else runs of white space. So a
/// decimal comma in a space-separated file is reported as a bad amount, not taken for a separator.</para>
/// <para>The first non-blank line is a header, and skipped, when its date or amount column is
/// missing or does not begin with a digit. Any other line that cannot be read is reported with
/// its line number.</para>
/// <para>Dates are <c>YYYYMMDD</c>, <c>YYYY-MM-DD</c> (both midnight UTC) or an ISO-8601 date and
/// time (<c>1997-01-31T14:05:00</c>, UTC unless it carries an offset). Amounts are plain decimals
/// with '.'. A quantity becomes one line item with that quantity and no SKU, category or unit price.</para>
/// <para>Event ids are <c>txn-</c> and 32 hex digits of the SHA-256 of the line's content (customer
/// id with its prefix, the moment in UTC, the amount without insignificant zeros, the quantity)
/// and how many identical lines came before it in the file, plus one. They do not depend on line
/// numbers: importing a file again, even with lines added, finds the purchases already applied.</para>
/// </remarks>
internal sealed class TransactionLog(TransactionLogOptions options)
{
    public const string EventIdPrefix = "txn-";

    private static readonly string[] DateTimeFormats =
    [
        "yyyy-MM-dd'T'HH:mm",
        "yyyy-MM-dd'T'HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    private static readonly char[] WhiteSpace = [' ', '\t', '\v', '\f', '\r'];

    private static readonly Dictionary<string, TransactionColumn> ColumnNamesByText = new(StringComparer.OrdinalIgnoreCase)
    {
        ["customer"] = TransactionColumn.Customer,
        ["date"] = TransactionColumn.Date,
        ["amount"] = TransactionColumn.Amount,
        ["quantity"] = TransactionColumn.Quantity,
    };

    private readonly List<string> _fields = [];

    private TransactionSeparator _separator = TransactionSeparator.WhiteSpace;

    /// <summary>Reads "customer,date,amount,quantity" (any order, each once; quantity may be left out).</summary>
    public static IReadOnlyList<TransactionColumn> ParseColumns(string text)
    {
        var columns = new List<TransactionColumn>();
        foreach (var name in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!ColumnNamesByText.TryGetValue(name, out var column))
            {
                throw new FormatException($"'{name}' is not a column; use customer, date, amount and quantity");
            }

            if (columns.Contains(column))
            {
                throw new FormatException($"column '{name}' appears twice");
            }

            columns.Add(column);
        }

        var missing = new[] { TransactionColumn.Customer, TransactionColumn.Date, TransactionColumn.Amount }.Where(c => !columns.Contains(c)).ToList();
        return missing.Count == 0
            ? columns
            : throw new FormatException($"missing column(s) {string.Join(", ", missing.Select(c => c.ToString().ToLowerInvariant()))}");
    }

    /// <summary>
    /// The event id of a purchase: <c>txn-</c> and the first 16 bytes, in hex, of the SHA-256 of
    /// its content and its occurrence (1 for the first of identical lines, 2 for the next...).
    /// </summary>
    public static string EventId(string customerId, DateTimeOffset occurredAt, string amount, int? quantity, int occurrence) =>
        EventId(ContentKey(customerId, occurredAt, amount, quantity), occurrence);

    /// <summary>The separator of a file, from its first non-blank line: tabs, else commas, else runs of white space.</summary>
    public static TransactionSeparator DetectSeparator(string firstLine) =>
        firstLine.Contains('\t', StringComparison.Ordinal) ? TransactionSeparator.Tab
        : firstLine.Contains(',', StringComparison.Ordinal) ? TransactionSeparator.Comma
        : TransactionSeparator.WhiteSpace;

    public static bool TrySplit(string line, TransactionSeparator separator, List<string> fields, out string? error)
    {
        error = null;
        switch (separator)
        {
            case TransactionSeparator.Comma:
                return CsvLine.TrySplit(line, fields, out error);
            case TransactionSeparator.Tab:
                fields.Clear();
                fields.AddRange(line.Split('\t', StringSplitOptions.TrimEntries));
                return true;
            default:
                fields.Clear();
                fields.AddRange(line.Split(WhiteSpace, StringSplitOptions.RemoveEmptyEntries));
                return true;
        }
    }

    /// <summary>
    /// Whether <paramref name="line"/>, the first non-blank line of a file, is a header: its date
    /// or amount column is missing or does not begin with a digit.
    /// </summary>
    public bool IsHeader(string line)
    {
        line = line.TrimStart('\uFEFF');
        if (!TrySplit(line, DetectSeparator(line), _fields, out _) || !TryMap(_fields, out var values))
        {
            return true;
        }

        return !StartsWithDigit(values[(int)TransactionColumn.Date]) || !StartsWithDigit(values[(int)TransactionColumn.Amount]);
    }

    /// <summary>How many purchases a file holds, for a progress bar: non-blank lines, less a header.</summary>
    public int CountRecords(string path)
    {
        var count = File.ReadLines(path).Count(line => !string.IsNullOrWhiteSpace(line));
        return count > 0 && IsHeader(ImportFile.FirstNonBlankLine(path)!) ? count - 1 : count;
    }

    /// <summary>Reads a whole log, line by line, in constant memory but for the occurrence counts.</summary>
    public IEnumerable<ParsedLine<Touchpoint>> Read(TextReader reader)
    {
        var occurrences = new Dictionary<string, int>(StringComparer.Ordinal);
        var lineNumber = 0;
        var first = true;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (first)
            {
                first = false;
                line = line.TrimStart('\uFEFF');
                _separator = DetectSeparator(line);
                if (IsHeader(line))
                {
                    continue;
                }
            }

            yield return Parse(line, lineNumber, occurrences);
        }
    }

    private ParsedLine<Touchpoint> Parse(string line, int lineNumber, Dictionary<string, int> occurrences)
    {
        if (!TrySplit(line, _separator, _fields, out var error))
        {
            return ParsedLine<Touchpoint>.Failed(lineNumber, error!);
        }

        if (!TryMap(_fields, out var values))
        {
            var expected = options.Columns.Contains(TransactionColumn.Quantity)
                ? $"{options.Columns.Count - 1} or {options.Columns.Count}"
                : $"{options.Columns.Count}";
            return ParsedLine<Touchpoint>.Failed(
                lineNumber, $"expected {expected} fields ({ColumnNames()}), got {_fields.Count}");
        }

        var customer = values[(int)TransactionColumn.Customer];
        if (customer.Length == 0)
        {
            return ParsedLine<Touchpoint>.Failed(lineNumber, "customer: required");
        }

        var customerId = options.CustomerPrefix + customer;
        if (!TryParseDate(values[(int)TransactionColumn.Date], out var occurredAt))
        {
            return ParsedLine<Touchpoint>.Failed(
                lineNumber, $"date: '{values[(int)TransactionColumn.Date]}' is not a date; use YYYYMMDD, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (UTC unless an offset is given)");
        }

        var amountText = values[(int)TransactionColumn.Amount];
        Money amount;
        try
        {
            amount = ProtoValues.Money(amountText, options.Currency);
        }
        catch (FormatException ex)
        {
            return ParsedLine<Touchpoint>.Failed(lineNumber, $"amount: {ex.Message}");
        }

        int? quantity = null;
        if (values[(int)TransactionColumn.Quantity] is { Length: > 0 } quantityText)
        {
            if (!int.TryParse(quantityText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed <= 0)
            {
                return ParsedLine<Touchpoint>.Failed(lineNumber, $"quantity: '{quantityText}' is not a positive whole number");
            }

            quantity = parsed;
        }

        var key = ContentKey(customerId, occurredAt, amount.Amount, quantity);
        var occurrence = occurrences[key] = occurrences.GetValueOrDefault(key) + 1;
        var touchpoint = new Touchpoint
        {
            EventId = EventId(key, occurrence),
            CustomerId = customerId,
            OccurredAt = Timestamp.FromDateTimeOffset(occurredAt),
            Channel = options.Channel,
            Kind = TouchpointKind.Purchase,
            Amount = amount,
            SourceSystem = options.SourceSystem,
        };
        if (quantity is { } q)
        {
            touchpoint.LineItems.Add(new LineItem { Quantity = q });
        }

        return ParsedLine<Touchpoint>.Ok(lineNumber, touchpoint);
    }

    /// <summary>
    /// The fields by column (indexed by <see cref="TransactionColumn"/>); a line may leave out
    /// the quantity, wherever its column is. False when the count fits neither.
    /// </summary>
    private bool TryMap(List<string> fields, out string[] values)
    {
        values = [string.Empty, string.Empty, string.Empty, string.Empty];
        IEnumerable<TransactionColumn> columns;
        if (fields.Count == options.Columns.Count)
        {
            columns = options.Columns;
        }
        else if (fields.Count == options.Columns.Count - 1 && options.Columns.Contains(TransactionColumn.Quantity))
        {
            columns = options.Columns.Where(c => c != TransactionColumn.Quantity);
        }
        else
        {
            return false;
        }

        var i = 0;
        foreach (var column in columns)
        {
            values[(int)column] = fields[i++];
        }

        return true;
    }

    private string ColumnNames() => string.Join(", ", options.Columns.Select(c => c.ToString().ToLowerInvariant()));

    private static bool StartsWithDigit(string text) => text.Length > 0 && char.IsAsciiDigit(text[0]);

    private static bool TryParseDate(string text, out DateTimeOffset value)
    {
        var styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (text.Length is 8 or 10 && !text.Contains('T', StringComparison.Ordinal))
        {
            var format = text.Length == 8 ? "yyyyMMdd" : "yyyy-MM-dd";
            if (DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                value = new DateTimeOffset(date.Date, TimeSpan.Zero);
                return true;
            }

            value = default;
            return false;
        }

        return DateTimeOffset.TryParseExact(text, DateTimeFormats, CultureInfo.InvariantCulture, styles, out value);
    }

    /// <summary>The content that identifies a purchase: equal for the same purchase however it is written.</summary>
    private static string ContentKey(string customerId, DateTimeOffset occurredAt, string amount, int? quantity) =>
        string.Join(
            '\u001f',
            customerId,
            occurredAt.UtcTicks.ToString(CultureInfo.InvariantCulture),
            CanonicalAmount(amount),
            quantity?.ToString(CultureInfo.InvariantCulture) ?? string.Empty);

    private static string EventId(string contentKey, int occurrence)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{contentKey}\u001f{occurrence.ToString(CultureInfo.InvariantCulture)}"));
        return EventIdPrefix + Convert.ToHexStringLower(bytes.AsSpan(0, 16));
    }

    /// <summary>"012.50" and "12.5" are the same amount.</summary>
    private static string CanonicalAmount(string amount)
    {
        var text = amount.Trim();
        if (text.Contains('.', StringComparison.Ordinal))
        {
            text = text.TrimEnd('0').TrimEnd('.');
        }

        text = text.TrimStart('0');
        return text.Length == 0 || text[0] == '.' ? "0" + text : text;
    }
}

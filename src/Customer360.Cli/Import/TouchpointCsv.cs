using System.Globalization;
using Customer360.Api.V1;
using Customer360.Cli.Mapping;

namespace Customer360.Cli.Import;

/// <summary>
/// The touchpoint CSV format: a header row, then one touchpoint per line. Columns may come in any
/// order; <c>event_id, customer_id, occurred_at, channel, kind</c> are required, the others
/// optional. <c>sku, category, quantity, unit_price</c> describe a single line item.
/// </summary>
internal sealed class TouchpointCsv
{
    public static readonly string[] Columns =
    [
        "event_id", "customer_id", "occurred_at", "channel", "kind", "amount", "currency", "source_system",
        "sku", "category", "quantity", "unit_price",
    ];

    private static readonly string[] RequiredColumns = ["event_id", "customer_id", "occurred_at", "channel", "kind"];

    private readonly Dictionary<string, int> _index;
    private readonly int _width;
    private readonly List<string> _fields = [];

    private TouchpointCsv(Dictionary<string, int> index, int width)
    {
        _index = index;
        _width = width;
    }

    public static string Header => string.Join(',', Columns);

    /// <summary>Reads the header row; a file whose header is unusable cannot be imported at all.</summary>
    public static TouchpointCsv FromHeader(string headerLine)
    {
        var fields = new List<string>();
        if (!CsvLine.TrySplit(headerLine.TrimStart('\uFEFF'), fields, out var error))
        {
            throw new FormatException($"header row: {error}");
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            var name = fields[i].Trim().ToLowerInvariant();
            if (!Columns.Contains(name))
            {
                throw new FormatException($"header row: unknown column '{fields[i]}'; known columns are {string.Join(", ", Columns)}");
            }

            if (!index.TryAdd(name, i))
            {
                throw new FormatException($"header row: column '{name}' appears twice");
            }
        }

        var missing = RequiredColumns.Where(c => !index.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            throw new FormatException($"header row: missing column(s) {string.Join(", ", missing)}");
        }

        return new TouchpointCsv(index, fields.Count);
    }

    public ParsedLine<Touchpoint> Parse(string line, int lineNumber)
    {
        if (!CsvLine.TrySplit(line, _fields, out var error))
        {
            return ParsedLine<Touchpoint>.Failed(lineNumber, error!);
        }

        var eventId = Field("event_id");
        if (_fields.Count != _width)
        {
            return ParsedLine<Touchpoint>.Failed(lineNumber, $"expected {_width} fields as in the header, got {_fields.Count}", eventId);
        }

        try
        {
            var touchpoint = new Touchpoint
            {
                EventId = Required("event_id"),
                CustomerId = Required("customer_id"),
                OccurredAt = Read("occurred_at", ProtoValues.ParseTimestamp, required: true),
                Channel = Read("channel", text => FriendlyNames.Channels.Parse(text, "channel"), required: true),
                Kind = Read("kind", text => FriendlyNames.Kinds.Parse(text, "touchpoint kind"), required: true),
                SourceSystem = Field("source_system"),
            };

            var currency = Read("currency", ProtoValues.CurrencyCode) ?? ProtoValues.DefaultCurrency;
            touchpoint.Amount = Read("amount", amount => ProtoValues.Money(amount, currency));

            var sku = Field("sku");
            var category = Field("category");
            var quantity = Read<int?>("quantity", text => ParseQuantity(text));
            var unitPrice = Read("unit_price", price => ProtoValues.Money(price, currency));
            if (sku.Length > 0 || category.Length > 0 || quantity is not null || unitPrice is not null)
            {
                touchpoint.LineItems.Add(new LineItem
                {
                    Sku = sku,
                    Category = category,
                    Quantity = quantity ?? 1,
                    UnitPrice = unitPrice,
                });
            }

            return ParsedLine<Touchpoint>.Ok(lineNumber, touchpoint);
        }
        catch (FieldException ex)
        {
            return ParsedLine<Touchpoint>.Failed(lineNumber, ex.Message, eventId);
        }
    }

    /// <summary>Writes one touchpoint as a line of this format, with every column, in the order of <see cref="Columns"/>.</summary>
    public static string Format(Touchpoint touchpoint)
    {
        if (touchpoint.LineItems.Count > 1)
        {
            throw new ArgumentException("the CSV format holds at most one line item per touchpoint", nameof(touchpoint));
        }

        var item = touchpoint.LineItems.FirstOrDefault();
        var currency = touchpoint.Amount?.CurrencyCode ?? item?.UnitPrice?.CurrencyCode ?? string.Empty;
        return CsvLine.Join(
        [
            touchpoint.EventId,
            touchpoint.CustomerId,
            ProtoValues.FormatIso(touchpoint.OccurredAt),
            FriendlyNames.Channels.Format(touchpoint.Channel),
            FriendlyNames.Kinds.Format(touchpoint.Kind),
            touchpoint.Amount?.Amount ?? string.Empty,
            currency,
            touchpoint.SourceSystem,
            item?.Sku ?? string.Empty,
            item?.Category ?? string.Empty,
            item is null ? string.Empty : item.Quantity.ToString(CultureInfo.InvariantCulture),
            item?.UnitPrice?.Amount ?? string.Empty,
        ]);
    }

    private static int ParseQuantity(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var quantity)
            ? quantity
            : throw new FormatException($"'{text}' is not a whole number");

    private string Field(string column) =>
        _index.TryGetValue(column, out var i) && i < _fields.Count ? _fields[i] : string.Empty;

    private string Required(string column) => Read(column, text => text, required: true)!;

    /// <summary>Reads one column; an empty one is the type's default unless required.</summary>
    private T? Read<T>(string column, Func<string, T> parse, bool required = false)
    {
        var text = Field(column);
        if (text.Length == 0)
        {
            return required ? throw new FieldException(column, "required") : default;
        }

        try
        {
            return parse(text);
        }
        catch (FormatException ex)
        {
            throw new FieldException(column, ex.Message);
        }
    }

    private sealed class FieldException(string column, string problem) : Exception($"{column}: {problem}");
}

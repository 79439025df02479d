using System.Globalization;
using System.Text.RegularExpressions;
using Customer360.Api.V1;
using Google.Protobuf.WellKnownTypes;

namespace Customer360.Cli.Mapping;

/// <summary>
/// Turns what people type into proto values and proto values into what people read: money,
/// timestamps and key=value pairs. The server remains the judge of what it accepts; the checks
/// here only catch text that could never be meant as the value asked for.
/// </summary>
internal static partial class ProtoValues
{
    public const string DefaultCurrency = "EUR";

    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mm:ssK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mmK",
    ];

    /// <summary>A plain decimal: digits, optionally one '.' and more digits. No sign, exponent or grouping.</summary>
    public static bool IsPlainDecimal(string text) => PlainDecimal().IsMatch(text);

    public static Money Money(string amount, string? currency)
    {
        var trimmed = amount.Trim();
        if (!IsPlainDecimal(trimmed))
        {
            throw new FormatException($"'{amount}' is not an amount; write it like 12.50 (digits and '.', no sign or exponent)");
        }

        return new Money { Amount = WithoutLeadingZeros(trimmed), CurrencyCode = string.IsNullOrWhiteSpace(currency) ? DefaultCurrency : CurrencyCode(currency) };
    }

    /// <summary>
    /// "012.50" as "12.50", "000" as "0": the server takes an amount in one form only, with no
    /// leading zero, and files written by other tools (fixed-width columns) often pad with them.
    /// Trailing zeros stay; they are the amount as written and the server takes them.
    /// </summary>
    private static string WithoutLeadingZeros(string plainDecimal)
    {
        var start = 0;
        while (start < plainDecimal.Length - 1 && plainDecimal[start] == '0' && plainDecimal[start + 1] != '.')
        {
            start++;
        }

        return plainDecimal[start..];
    }

    /// <summary>An ISO-4217 code in any case, returned upper-case.</summary>
    public static string CurrencyCode(string text)
    {
        var code = text.Trim().ToUpperInvariant();
        return code.Length == 3 && code.All(c => c is >= 'A' and <= 'Z')
            ? code
            : throw new FormatException($"'{text}' is not a currency code; use three letters like EUR");
    }

    public static string Format(Money? money) =>
        money is null || money.Amount.Length == 0 ? "-" : $"{money.Amount} {money.CurrencyCode}".Trim();

    /// <summary>
    /// Parses an ISO-8601 date and time with an explicit offset ("Z" or "+02:00"). A time without
    /// an offset is refused: whether it meant UTC or the till's local time cannot be guessed.
    /// </summary>
    public static Timestamp ParseTimestamp(string text)
    {
        var trimmed = text.Trim();
        if (!HasOffset(trimmed) ||
            !DateTimeOffset.TryParseExact(trimmed, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            throw new FormatException($"'{text}' is not a timestamp; use ISO-8601 with an offset, e.g. 2026-03-01T10:15:00Z");
        }

        return Timestamp.FromDateTimeOffset(value);
    }

    public static string Format(Timestamp? timestamp) =>
        timestamp is null ? "-" : timestamp.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>To the minute, for tables where width is scarce.</summary>
    public static string FormatShort(Timestamp? timestamp) =>
        timestamp is null ? "-" : timestamp.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The canonical text form of a timestamp, as written to files: 2026-03-01T10:15:00Z.</summary>
    public static string FormatIso(Timestamp timestamp)
    {
        var value = timestamp.ToDateTimeOffset();
        return value.Ticks % TimeSpan.TicksPerSecond == 0
            ? value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : value.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>Splits "key=value"; the value may itself contain '='.</summary>
    public static KeyValuePair<string, string> ParseKeyValue(string text)
    {
        var index = text.IndexOf('=', StringComparison.Ordinal);
        if (index <= 0)
        {
            throw new FormatException($"'{text}' is not a key=value pair");
        }

        return new(text[..index].Trim(), text[(index + 1)..]);
    }

    /// <summary>Status codes as gRPC names them everywhere else: NOT_FOUND, INVALID_ARGUMENT.</summary>
    public static string FormatStatusCode(Grpc.Core.StatusCode code) =>
        WordBoundary().Replace(code.ToString(), "$1_$2").ToUpperInvariant();

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || OffsetSuffix().IsMatch(text);

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?$")]
    private static partial Regex PlainDecimal();

    [GeneratedRegex(@"[+-][0-9]{2}:?[0-9]{2}$")]
    private static partial Regex OffsetSuffix();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex WordBoundary();
}

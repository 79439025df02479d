using System.Globalization;

namespace Customer360.Domain.Validation;

/// <summary>
/// The one text form the API takes an amount in (protos: <c>Money.amount</c>): ASCII digits with
/// no sign and no leading zero (<c>0</c> alone is fine), then optionally '.' and one to four
/// digits. "12.50", "0.5" and "3" are amounts; "+10", "-0", ".5", "5.", "0010", "1e3" and
/// " 7" are not. One form per value keeps what a client meant unambiguous: a till that sends
/// "+10" or "0010" has mangled a field somewhere, and saying so beats guessing.
/// </summary>
public static class AmountText
{
    public const int MaxFractionDigits = 4;

    /// <summary>What every refusal of a malformed amount says, after the text itself.</summary>
    public const string Shape = "is not an amount; write digits without sign or leading zeros, optionally '.' and 1 to 4 digits, such as 12.50";

    /// <summary>The amount <paramref name="text"/> holds, or why it is not one (a message for the field).</summary>
    public static bool TryParse(string text, out decimal amount, out string? problem)
    {
        amount = 0;
        problem = null;
        if (text.Length == 0)
        {
            problem = "is required";
            return false;
        }

        // A minus before a well-formed amount other than zero is a negative amount: say that,
        // as the domain says it of a negative amount given any other way.
        if (text[0] == '-' && IsShaped(text.AsSpan(1), out _) && text.AsSpan(1).ContainsAnyExcept("0."))
        {
            problem = "must not be negative";
            return false;
        }

        if (!IsShaped(text, out var fractionDigits))
        {
            problem = fractionDigits > MaxFractionDigits
                ? $"must have at most {MaxFractionDigits} fractional digits"
                : $"'{Shorten(text)}' {Shape}";
            return false;
        }

        // The shape is right; only an amount beyond decimal's range (29 digits) fails here.
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount))
        {
            problem = $"'{Shorten(text)}' is too large to be an amount";
            return false;
        }

        return true;
    }

    /// <summary>
    /// Whether <paramref name="text"/> has the shape, checked by hand rather than by a regular
    /// expression: every touchpoint's amount and line-item prices pass through here.
    /// <paramref name="fractionDigits"/> counts the digits after the point even when there are too many.
    /// </summary>
    private static bool IsShaped(ReadOnlySpan<char> text, out int fractionDigits)
    {
        fractionDigits = 0;
        var dot = text.IndexOf('.');
        var whole = dot < 0 ? text : text[..dot];
        if (whole.Length == 0 || whole.ContainsAnyExceptInRange('0', '9') || (whole[0] == '0' && whole.Length > 1))
        {
            return false;
        }

        if (dot < 0)
        {
            return true;
        }

        var fraction = text[(dot + 1)..];
        if (fraction.Length == 0 || fraction.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        fractionDigits = fraction.Length;
        return fraction.Length <= MaxFractionDigits;
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}

namespace Customer360.Domain.Customers;

/// <summary>
/// Orders strings by Unicode code point, which is the order of their UTF-8 bytes: the order in
/// which PostgreSQL (collation "C") and SQLite (BINARY) sort the log's event ids. Touchpoints on
/// the same tick are put in event id order, so the customer's view, the memory store and both
/// databases must agree on it. <see cref="string.CompareOrdinal(string, string)"/> compares
/// UTF-16 code units instead, which sorts characters above U+FFFF (stored as surrogate pairs,
/// U+D800–U+DFFF) before those from U+E000 to U+FFFF; .NET has no code point comparison of
/// its own, so the code units are mended where they first differ.
/// </summary>
public static class CodePointOrder
{
    public static int Compare(string a, string b)
    {
        var common = a.AsSpan().CommonPrefixLength(b);
        if (common == a.Length || common == b.Length)
        {
            return a.Length.CompareTo(b.Length);
        }

        return InCodePointOrder(a[common]).CompareTo(InCodePointOrder(b[common]));
    }

    // Moves the surrogates above every other code unit, keeping each group's own order.
    private static int InCodePointOrder(char unit) =>
        unit < 0xD800 ? unit
        : unit >= 0xE000 ? unit - 0x800
        : unit + 0x2000;
}

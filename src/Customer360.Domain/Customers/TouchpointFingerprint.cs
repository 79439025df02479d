using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Customer360.Domain.Customers;

/// <summary>
/// A 64-bit digest of what the sending system said in a touchpoint. Two sends with the same
/// event id and the same fingerprint are one event sent twice; the same event id with a
/// different fingerprint is a conflict that the engine refuses rather than guess about.
/// </summary>
/// <remarks>
/// The digest covers every field the sender supplies, in a canonical form (attributes by key,
/// decimals normalised so that 10.5 and 10.50 agree), and leaves out what the engine derives,
/// such as the reporting amount. It is stored with each logged touchpoint, so the form must
/// never change for existing fields.
/// </remarks>
public static class TouchpointFingerprint
{
    public static long Of(Touchpoint t)
    {
        var text = new StringBuilder(256);
        Field(text, t.CustomerId);
        Field(text, t.EventId);
        Field(text, t.OccurredAt.UtcTicks.ToString(CultureInfo.InvariantCulture));
        Field(text, ((int)t.Channel).ToString(CultureInfo.InvariantCulture));
        Field(text, ((int)t.Kind).ToString(CultureInfo.InvariantCulture));
        Money(text, t.Amount);
        Field(text, t.LineItems.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var line in t.LineItems)
        {
            Field(text, line.Sku);
            Field(text, line.Category);
            Field(text, line.Quantity.ToString(CultureInfo.InvariantCulture));
            Money(text, line.UnitPrice);
        }

        Field(text, t.Attributes.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var (key, value) in t.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            Field(text, key);
            Field(text, value);
        }

        Field(text, t.SourceSystem);

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()), digest);
        return BinaryPrimitives.ReadInt64BigEndian(digest);
    }

    // Length-prefixed, so that no two different field lists produce the same text.
    private static void Field(StringBuilder text, string value) =>
        text.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value);

    private static void Money(StringBuilder text, Money? money)
    {
        if (money is null)
        {
            Field(text, "-");
            return;
        }

        // "G29" drops trailing zeros: 10.50 and 10.5 are the same amount.
        Field(text, money.Amount.ToString("G29", CultureInfo.InvariantCulture));
        Field(text, money.Currency);
    }
}

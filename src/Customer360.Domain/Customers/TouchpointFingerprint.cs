using System.Buffers;
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
/// <para>
/// The digest covers every field the sender supplies, in a canonical form (attributes by key,
/// decimals normalised so that 10.5 and 10.50 agree), and leaves out what the engine derives,
/// such as the reporting amount. It is stored with each logged touchpoint, so the form must
/// never change for existing fields.
/// </para>
/// <para>
/// The form is the UTF-8 text of a list of fields, each written as its length in UTF-16 code
/// units, a colon and its value (so no two field lists give the same text), hashed with
/// SHA-256; the fingerprint is the first 8 bytes, big-endian. The text is written straight into
/// one pooled buffer, because this runs for every touchpoint received.
/// </para>
/// </remarks>
public static class TouchpointFingerprint
{
    public static long Of(Touchpoint t)
    {
        var text = new CanonicalText(stackalloc byte[512]);
        try
        {
            text.Field(t.CustomerId);
            text.Field(t.EventId);
            text.Field(t.OccurredAt.UtcTicks);
            text.Field((int)t.Channel);
            text.Field((int)t.Kind);
            text.Money(t.Amount);
            text.Field(t.LineItems.Count);
            foreach (var line in t.LineItems)
            {
                text.Field(line.Sku);
                text.Field(line.Category);
                text.Field(line.Quantity);
                text.Money(line.UnitPrice);
            }

            text.Field(t.Attributes.Count);
            if (t.Attributes.Count == 1)
            {
                foreach (var (key, value) in t.Attributes)
                {
                    text.Field(key);
                    text.Field(value);
                }
            }
            else if (t.Attributes.Count > 1)
            {
                var keys = t.Attributes.Keys.ToArray();
                Array.Sort(keys, StringComparer.Ordinal);
                foreach (var key in keys)
                {
                    text.Field(key);
                    text.Field(t.Attributes[key]);
                }
            }

            text.Field(t.SourceSystem);

            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(text.Written, digest);
            return BinaryPrimitives.ReadInt64BigEndian(digest);
        }
        finally
        {
            text.Dispose();
        }
    }

    /// <summary>The canonical text, in a stack buffer that moves to a pooled array when it fills.</summary>
    private ref struct CanonicalText(Span<byte> initial)
    {
        private Span<byte> _buffer = initial;
        private byte[]? _rented;
        private int _length;

        public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

        public void Field(string value)
        {
            Prefix(value.Length);
            var size = Encoding.UTF8.GetMaxByteCount(value.Length);
            Ensure(size);
            _length += Encoding.UTF8.GetBytes(value, _buffer[_length..]);
        }

        public void Field(long number)
        {
            // The decimal digits of a number are ASCII: as many code units as bytes.
            Span<byte> digits = stackalloc byte[24];
            number.TryFormat(digits, out var count, default, CultureInfo.InvariantCulture);
            Prefix(count);
            Append(digits[..count]);
        }

        public void Money(Money? money)
        {
            if (money is null)
            {
                Field("-");
                return;
            }

            // "G29" drops trailing zeros: 10.50 and 10.5 are the same amount.
            Span<byte> digits = stackalloc byte[48];
            money.Amount.TryFormat(digits, out var count, "G29", CultureInfo.InvariantCulture);
            Prefix(count);
            Append(digits[..count]);
            Field(money.Currency);
        }

        public void Dispose()
        {
            if (_rented is not null)
            {
                ArrayPool<byte>.Shared.Return(_rented);
                _rented = null;
            }
        }

        private void Prefix(int length)
        {
            Span<byte> digits = stackalloc byte[12];
            length.TryFormat(digits, out var count, default, CultureInfo.InvariantCulture);
            Append(digits[..count]);
            Append(":"u8);
        }

        private void Append(scoped ReadOnlySpan<byte> bytes)
        {
            Ensure(bytes.Length);
            bytes.CopyTo(_buffer[_length..]);
            _length += bytes.Length;
        }

        private void Ensure(int more)
        {
            if (_length + more <= _buffer.Length)
            {
                return;
            }

            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
            _buffer[.._length].CopyTo(bigger);
            Dispose();
            _rented = bigger;
            _buffer = bigger;
        }
    }
}

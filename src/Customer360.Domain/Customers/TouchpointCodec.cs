using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using CommunityToolkit.HighPerformance.Buffers;

namespace Customer360.Domain.Customers;

/// <summary>
/// The form in which a customer keeps its recent touchpoints in memory: a compact binary layout,
/// decoded again when a view is read. A touchpoint kept as objects costs about 330 bytes in five
/// or more objects (the record, its event id, its money, its line items); encoded it is about
/// 100–150 bytes, kept with the customer's others in one array (<see cref="RecentTouchpoints"/>).
/// Each kept touchpoint outlives many collections, so the objects were also what every
/// young-generation collection had to copy.
/// </summary>
/// <remarks>
/// Written here rather than with a general serializer: those frame every field with a tag and a
/// type, and write a decimal in 16 bytes, which is most of what this layout saves; and the domain
/// library takes no serializer dependency. The short strings that touchpoints repeat
/// (currencies, source systems, SKUs, categories, attribute keys) are written as their
/// number in the process's <see cref="KeptStrings"/> table, one to three bytes, and decode to the
/// table's one copy. Attribute values, and strings the table cannot number (too long, or the
/// table full), are written out, and decoding takes them from a bounded pool,
/// CommunityToolkit.HighPerformance's <see cref="StringPool"/>. Either way reading a view
/// allocates only the objects it returns.
/// <para>
/// Layout, after a format byte (1): event time as UTC ticks (8 bytes, first, so that a window is
/// kept in order without reading anything else); event id; customer id, as a flag (the
/// customer's own id, or another one that follows); the event time's offset in minutes; channel;
/// kind; amount (flag, decimal, currency); reporting amount (flag, decimal); line items (count,
/// then SKU, category, quantity, unit price each); attributes (count, then key and value each);
/// source system; the name of the API key it was recorded with. The event and customer ids are UTF-8 after a 7-bit length plus one (0 is null);
/// the repeated strings are 0 for null, 2n + 1 for the table's string n, or 2 × (length + 1)
/// followed by the UTF-8 of one written out; integers are 7-bit
/// encoded (zigzag where they may be negative); a decimal is its sign and scale in one byte and
/// its 96-bit coefficient in 7-bit groups, so 12.34 takes 3 bytes and the scale is kept exactly.
/// </para>
/// </remarks>
public static class TouchpointCodec
{
    public const int MaxPooledLength = 64;

    private const byte Format = 1;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>Encodes <paramref name="touchpoint"/>; its customer id is written only if it is not <paramref name="customerId"/>.</summary>
    public static byte[] Encode(Touchpoint touchpoint, string customerId) => EncodeToScratch(touchpoint, customerId).ToArray();

    /// <summary>Encodes <paramref name="touchpoint"/>, numbering its short strings in <paramref name="strings"/>; decode with the same table.</summary>
    public static byte[] Encode(Touchpoint touchpoint, string customerId, KeptStrings strings) =>
        EncodeToScratch(touchpoint, customerId, strings).ToArray();

    /// <summary>
    /// Encodes <paramref name="touchpoint"/> into this thread's scratch buffer, which the returned
    /// span reads until the thread's next encoding: copy it before anything else encodes.
    /// </summary>
    public static ReadOnlySpan<byte> EncodeToScratch(Touchpoint touchpoint, string customerId) =>
        EncodeToScratch(touchpoint, customerId, KeptStrings.Shared);

    private static ReadOnlySpan<byte> EncodeToScratch(Touchpoint touchpoint, string customerId, KeptStrings strings)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = new Writer(buffer, strings);
        writer.Byte(Format);
        writer.Int64(touchpoint.OccurredAt.UtcTicks);
        writer.String(touchpoint.EventId);
        if (string.Equals(touchpoint.CustomerId, customerId, StringComparison.Ordinal))
        {
            writer.Byte(0);
        }
        else
        {
            writer.Byte(1);
            writer.String(touchpoint.CustomerId);
        }

        writer.Signed((int)touchpoint.OccurredAt.Offset.TotalMinutes);
        writer.Signed((int)touchpoint.Channel);
        writer.Signed((int)touchpoint.Kind);
        writer.Money(touchpoint.Amount);
        writer.OptionalDecimal(touchpoint.ReportingAmount);
        var lines = touchpoint.LineItems ?? [];
        writer.Unsigned((uint)lines.Count);
        foreach (var line in lines)
        {
            writer.Shared(line.Sku);
            writer.Shared(line.Category);
            writer.Signed(line.Quantity);
            writer.Money(line.UnitPrice);
        }

        var attributes = touchpoint.Attributes ?? Touchpoint.EmptyAttributes;
        writer.Unsigned((uint)attributes.Count);
        foreach (var (key, value) in attributes)
        {
            writer.Shared(key);

            // Values are written out: they may be unique to a touchpoint (an order reference, a
            // note), and numbered they would fill the table for good.
            writer.Shared(value, numbered: false);
        }

        writer.Shared(touchpoint.SourceSystem);
        writer.Shared(touchpoint.RecordedBy);
        return buffer.WrittenSpan;
    }

    /// <summary>The touchpoint <paramref name="encoded"/> holds; <paramref name="customerId"/> is the id it was encoded against.</summary>
    public static Touchpoint Decode(ReadOnlySpan<byte> encoded, string customerId) => Decode(encoded, customerId, KeptStrings.Shared);

    /// <summary>The touchpoint <paramref name="encoded"/> holds, encoded against <paramref name="customerId"/> and <paramref name="strings"/>.</summary>
    public static Touchpoint Decode(ReadOnlySpan<byte> encoded, string customerId, KeptStrings strings)
    {
        var reader = new Reader(encoded, strings);
        reader.ExpectFormat();
        var utcTicks = reader.Int64();
        var eventId = reader.String()!;
        var customer = reader.Byte() == 0 ? customerId : reader.String()!;
        var offset = TimeSpan.FromMinutes(reader.Signed());
        var channel = (Channel)reader.Signed();
        var kind = (TouchpointKind)reader.Signed();
        var amount = reader.Money();
        var reportingAmount = reader.OptionalDecimal();
        var lineCount = (int)reader.Unsigned();
        var lines = lineCount == 0 ? Array.Empty<LineItem>() : new LineItem[lineCount];
        for (var i = 0; i < lineCount; i++)
        {
            lines[i] = new LineItem(reader.Shared()!, reader.Shared()!, reader.Signed(), reader.Money());
        }

        var attributeCount = (int)reader.Unsigned();
        IReadOnlyDictionary<string, string> attributes = Touchpoint.EmptyAttributes;
        if (attributeCount > 0)
        {
            var read = new Dictionary<string, string>(attributeCount, StringComparer.Ordinal);
            for (var i = 0; i < attributeCount; i++)
            {
                read[reader.Shared()!] = reader.Shared()!;
            }

            attributes = read;
        }

        var sourceSystem = reader.Shared()!;
        var recordedBy = reader.Shared();
        return new Touchpoint
        {
            EventId = eventId,
            CustomerId = customer,
            OccurredAt = new DateTimeOffset(utcTicks + offset.Ticks, offset),
            Channel = channel,
            Kind = kind,
            Amount = amount,
            ReportingAmount = reportingAmount,
            LineItems = lines,
            Attributes = attributes,
            SourceSystem = sourceSystem,
            RecordedBy = recordedBy,
        };
    }

    /// <summary>The event time of an encoded touchpoint, as UTC ticks, read without decoding the rest.</summary>
    public static long UtcTicksOf(ReadOnlySpan<byte> encoded)
    {
        var reader = new Reader(encoded, KeptStrings.Shared);
        reader.ExpectFormat();
        return reader.Int64();
    }

    /// <summary>The event id of an encoded touchpoint, read without decoding the rest.</summary>
    public static string EventIdOf(ReadOnlySpan<byte> encoded)
    {
        var reader = new Reader(encoded, KeptStrings.Shared);
        reader.ExpectFormat();
        reader.Int64();
        return reader.String()!;
    }

    /// <summary>Whether an encoded touchpoint's event id is <paramref name="eventId"/>, compared without allocating.</summary>
    public static bool HasEventId(ReadOnlySpan<byte> encoded, string eventId)
    {
        var reader = new Reader(encoded, KeptStrings.Shared);
        reader.ExpectFormat();
        reader.Int64();
        return reader.StringEquals(eventId);
    }

    private ref struct Writer(ArrayBufferWriter<byte> buffer, KeptStrings strings)
    {
        public void Byte(byte value)
        {
            buffer.GetSpan(1)[0] = value;
            buffer.Advance(1);
        }

        public void Int64(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(buffer.GetSpan(8), value);
            buffer.Advance(8);
        }

        public void Unsigned(ulong value)
        {
            var span = buffer.GetSpan(10);
            var n = 0;
            while (value >= 0x80)
            {
                span[n++] = (byte)(value | 0x80);
                value >>= 7;
            }

            span[n++] = (byte)value;
            buffer.Advance(n);
        }

        public void Signed(int value) => Unsigned((uint)((value << 1) ^ (value >> 31)));

        public void String(string? value)
        {
            if (value is null)
            {
                Unsigned(0);
                return;
            }

            var length = Encoding.UTF8.GetByteCount(value);
            Unsigned((ulong)length + 1);
            Encoding.UTF8.GetBytes(value, buffer.GetSpan(length));
            buffer.Advance(length);
        }

        // A string the table may number: 0 for null, then odd for a number (2n + 1), even for
        // one written out (2 × (length + 1), then its UTF-8).
        public void Shared(string? value, bool numbered = true)
        {
            if (value is null)
            {
                Unsigned(0);
                return;
            }

            var number = numbered ? strings.NumberOf(value) : -1;
            if (number >= 0)
            {
                Unsigned(((ulong)number << 1) | 1);
                return;
            }

            var length = Encoding.UTF8.GetByteCount(value);
            Unsigned(((ulong)length + 1) << 1);
            Encoding.UTF8.GetBytes(value, buffer.GetSpan(length));
            buffer.Advance(length);
        }

        public void Decimal(decimal value)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            var flags = bits[3];
            var scale = (byte)((flags >> 16) & 0xFF);
            Byte((byte)(scale | (flags < 0 ? 0x80 : 0)));
            Unsigned(((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
            Unsigned((uint)bits[2]);
        }

        public void OptionalDecimal(decimal? value)
        {
            Byte(value.HasValue ? (byte)1 : (byte)0);
            if (value is { } v)
            {
                Decimal(v);
            }
        }

        public void Money(Money? money)
        {
            Byte(money is null ? (byte)0 : (byte)1);
            if (money is not null)
            {
                Decimal(money.Amount);
                Shared(money.Currency);
            }
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> span, KeptStrings strings)
    {
        private readonly ReadOnlySpan<byte> _span = span;
        private int _at;

        public void ExpectFormat()
        {
            if (Byte() != Format)
            {
                throw new InvalidDataException($"A kept touchpoint has format {_span[0]}; this version reads format {Format}.");
            }
        }

        public byte Byte() => _span[_at++];

        public long Int64()
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(_span[_at..]);
            _at += 8;
            return value;
        }

        public ulong Unsigned()
        {
            ulong value = 0;
            var shift = 0;
            byte b;
            do
            {
                b = _span[_at++];
                value |= (ulong)(b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);
            return value;
        }

        public int Signed()
        {
            var zigzag = (uint)Unsigned();
            return (int)(zigzag >> 1) ^ -(int)(zigzag & 1);
        }

        public string? String() => Utf8(out var value) ? Encoding.UTF8.GetString(value) : null;

        public string? Shared()
        {
            var head = Unsigned();
            if (head == 0)
            {
                return null;
            }

            if ((head & 1) != 0)
            {
                return strings[(int)(head >> 1)];
            }

            var length = (int)((head >> 1) - 1);
            var value = _span.Slice(_at, length);
            _at += length;
            return value.Length == 0 ? ""
                : value.Length <= MaxPooledLength ? StringPool.Shared.GetOrAdd(value, Encoding.UTF8)
                : Encoding.UTF8.GetString(value);
        }

        public bool StringEquals(string expected)
        {
            if (!Utf8(out var value) || value.Length < expected.Length || value.Length > 3 * expected.Length)
            {
                return false;
            }

            Span<char> chars = value.Length <= 256 ? stackalloc char[value.Length] : new char[value.Length];
            var written = Encoding.UTF8.GetChars(value, chars);
            return chars[..written].SequenceEqual(expected);
        }

        public decimal Decimal()
        {
            var head = Byte();
            var low = Unsigned();
            var high = (uint)Unsigned();
            return new decimal((int)(uint)low, (int)(uint)(low >> 32), (int)high, (head & 0x80) != 0, (byte)(head & 0x7F));
        }

        public decimal? OptionalDecimal() => Byte() == 0 ? null : Decimal();

        public Money? Money()
        {
            if (Byte() == 0)
            {
                return null;
            }

            var amount = Decimal();
            return new Money(amount, Shared()!);
        }

        // False for a null string.
        private bool Utf8(out ReadOnlySpan<byte> value)
        {
            var lengthPlusOne = Unsigned();
            if (lengthPlusOne == 0)
            {
                value = default;
                return false;
            }

            var length = (int)(lengthPlusOne - 1);
            value = _span.Slice(_at, length);
            _at += length;
            return true;
        }
    }
}

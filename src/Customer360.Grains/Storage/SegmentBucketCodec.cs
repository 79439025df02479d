using System.Text;
using Customer360.Grains.Segments;

namespace Customer360.Grains.Storage;

/// <summary>
/// The bytes a stored segment bucket holds: a format byte, the member count, then per member
/// the customer id (UTF-8, length-prefixed), the customer version and score revision
/// (7-bit encoded), whether it is a member, and its net spend and value score as exact .NET
/// decimals. Written with <see cref="BinaryWriter"/>: a bucket is read back only by this
/// engine, and decimals must come back exact, to the cent.
/// </summary>
public static class SegmentBucketCodec
{
    private const byte Format = 1;

    public static byte[] Encode(IReadOnlyList<SegmentMemberRow> members)
    {
        using var buffer = new MemoryStream(8 + (members.Count * 56));
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Format);
            writer.Write7BitEncodedInt(members.Count);
            foreach (var (customerId, entry) in members)
            {
                ArgumentNullException.ThrowIfNull(customerId, nameof(SegmentMemberRow.CustomerId));
                writer.Write(customerId);
                writer.Write7BitEncodedInt64(entry.CustomerVersion);
                writer.Write7BitEncodedInt64(entry.ScoreRevision);
                writer.Write(entry.IsMember);
                writer.Write(entry.NetSpend);
                writer.Write(entry.ValueScore);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Adds the members of an encoded bucket to <paramref name="into"/>.</summary>
    public static void Decode(byte[] bucket, ICollection<SegmentMemberRow> into)
    {
        using var reader = new BinaryReader(new MemoryStream(bucket, writable: false), Encoding.UTF8);
        var format = reader.ReadByte();
        if (format != Format)
        {
            throw new InvalidDataException($"A stored segment bucket has format {format}; this version reads format {Format}.");
        }

        var count = reader.Read7BitEncodedInt();
        for (var i = 0; i < count; i++)
        {
            var customerId = reader.ReadString();
            var version = reader.Read7BitEncodedInt64();
            var revision = reader.Read7BitEncodedInt64();
            var isMember = reader.ReadBoolean();
            var netSpend = reader.ReadDecimal();
            var valueScore = reader.ReadDecimal();
            into.Add(new SegmentMemberRow(customerId, new MemberEntry(version, isMember, netSpend, valueScore, revision)));
        }
    }

    /// <summary>
    /// The members of a segment as read: from its buckets and from any member rows an earlier
    /// version wrote, the later entry where a customer is in both, in customer id order.
    /// </summary>
    public static IReadOnlyList<SegmentMemberRow> Members(IEnumerable<byte[]> buckets, IEnumerable<SegmentMemberRow> earlierRows)
    {
        var decoded = new List<SegmentMemberRow>();
        foreach (var bucket in buckets)
        {
            Decode(bucket, decoded);
        }

        var latest = new Dictionary<string, MemberEntry>(StringComparer.Ordinal);
        foreach (var (customerId, entry) in decoded.Concat(earlierRows))
        {
            if (!latest.TryGetValue(customerId, out var known) || known.Order < entry.Order)
            {
                latest[customerId] = entry;
            }
        }

        return [.. latest.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new SegmentMemberRow(m.Key, m.Value))];
    }
}

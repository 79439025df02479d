using System.IO.Hashing;
using System.Text;

namespace Customer360.Grains.Segments;

/// <summary>
/// How a segment spreads its members over stored buckets: by a stable hash of the customer id
/// (XxHash3 of its UTF-8 bytes, the same on every machine and in every process), over a power
/// of two of buckets that doubles as the segment grows, so that a bucket holds 64 to 128
/// members on average.
/// </summary>
public static class SegmentBuckets
{
    /// <summary>The fewest buckets a segment has.</summary>
    public const int MinCount = 16;

    /// <summary>The most buckets a segment has: beyond about 134 million members, buckets grow instead.</summary>
    public const int MaxCount = 1 << 20;

    /// <summary>The average bucket size at which a segment doubles its bucket count.</summary>
    public const int MaxAverageMembers = 128;

    /// <summary>The bucket count for <paramref name="members"/> members: at least <paramref name="atLeast"/>, doubled until the average fits.</summary>
    public static int CountFor(int members, int atLeast = MinCount)
    {
        var count = Math.Max(MinCount, (int)Math.Min(MaxCount, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, atLeast))));
        while (count < MaxCount && members > (long)count * MaxAverageMembers)
        {
            count *= 2;
        }

        return count;
    }

    /// <summary>The bucket of <paramref name="customerId"/> among <paramref name="count"/> (a power of two).</summary>
    public static int Of(string customerId, int count)
    {
        var length = Encoding.UTF8.GetMaxByteCount(customerId.Length);
        Span<byte> bytes = length <= 512 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(customerId, bytes);
        return (int)(XxHash3.HashToUInt64(bytes[..written]) & (uint)(count - 1));
    }
}

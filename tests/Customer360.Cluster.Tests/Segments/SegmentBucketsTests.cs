using Customer360.Grains.Segments;

namespace Customer360.Cluster.Tests.Segments;

/// <summary>
/// Stored buckets are written whole, so a customer must land in the same bucket in every
/// process, on every machine, in every version that reads the same store.
/// </summary>
public sealed class SegmentBucketsTests
{
    // Computed apart from the engine, by a program hashing the UTF-8 bytes with XxHash3.
    private const int PinnedC00001Of16 = 13;
    private const int PinnedC00001Of1024 = 365;
    private const int PinnedUmlautOfMax = 882039;

    [Theory]
    // Pinned: XxHash3 (seed 0) of the UTF-8 bytes. A change here would make a new version
    // overwrite stored buckets with the wrong members.
    [InlineData("c-00001", 16, PinnedC00001Of16)]
    [InlineData("c-00001", 1024, PinnedC00001Of1024)]
    [InlineData("kundin-ü", 1 << 20, PinnedUmlautOfMax)]
    public void ACustomerLandsInTheSameBucketEverywhere(string customerId, int count, int bucket) =>
        Assert.Equal(bucket, SegmentBuckets.Of(customerId, count));

    [Fact]
    public void BucketsOfADoubledCountSplitTheOldOnes()
    {
        // Bucket b of 2n holds customers of bucket b mod n: growth moves members between a pair of buckets only.
        foreach (var i in Enumerable.Range(0, 2_000))
        {
            var id = $"m-{i}";
            Assert.Equal(SegmentBuckets.Of(id, 64), SegmentBuckets.Of(id, 128) % 64);
        }
    }

    [Fact]
    public void MembersSpreadEvenlyEnough()
    {
        var sizes = new int[256];
        foreach (var i in Enumerable.Range(0, 256 * 64))
        {
            sizes[SegmentBuckets.Of($"customer-{i:D6}", 256)]++;
        }

        // 64 expected per bucket; a Poisson spread keeps every bucket well within 2x either way.
        Assert.InRange(sizes.Min(), 32, 64);
        Assert.InRange(sizes.Max(), 64, 128);
    }

    [Theory]
    [InlineData(0, 16, 16)]
    [InlineData(2_048, 16, 16)]
    [InlineData(2_049, 16, 32)]
    [InlineData(100, 64, 64)]
    [InlineData(100, 48, 64)]
    [InlineData(1_000_000, 16, 8_192)]
    [InlineData(int.MaxValue, 16, SegmentBuckets.MaxCount)]
    public void TheBucketCountDoublesUntilTheAverageFitsAndNeverShrinks(int members, int atLeast, int expected) =>
        Assert.Equal(expected, SegmentBuckets.CountFor(members, atLeast));
}

using Customer360.Domain.Customers;

namespace Customer360.Domain.Tests.Customers;

/// <summary>Snapshots keep these hashes, so they must be the same on every machine and in every version.</summary>
public sealed class EventIdHashTests
{
    [Theory]
    // Computed apart from the engine, by a program hashing Encoding.Unicode (UTF-16LE) bytes with XxHash3.
    [InlineData("p1", -1736341550116218754)]
    [InlineData("txn-4f1c2a9e", -620923045325334562)]
    [InlineData("événement-1", -4369454312073135545)]
    public void AnEventIdHashesToItsPinnedValue(string eventId, long expected) =>
        Assert.Equal(expected, EventIdHash.Of(eventId));
}

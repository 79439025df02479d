using Customer360.Domain.Customers;
using Customer360.Grains.Storage;

namespace Customer360.Cluster.Tests.Customers;

/// <summary>
/// The log's payload keeps the name of the API key that recorded each change, so that who wrote
/// what can be read back from the log, and leaves it out for changes recorded without keys.
/// </summary>
public sealed class LogPayloadTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AProfileChangeKeepsTheKeyThatMadeIt()
    {
        var patch = new ProfilePatch { GivenName = "Ada", RecordedBy = "call_centre" };

        var payload = LogCodec.Encode(patch);
        var entry = LogCodec.Decode("c-1", 1, LogEntryKind.Profile, At, 0, payload);

        Assert.Contains("\"recordedBy\":\"call_centre\"", payload);
        Assert.Equal("call_centre", entry.Profile!.RecordedBy);
        Assert.Equal("Ada", entry.Profile.GivenName);
    }

    [Fact]
    public void ATouchpointKeepsTheKeyThatRecordedItAndOneWithoutKeysNamesNone()
    {
        var sale = new Touchpoint
        {
            EventId = "e-1",
            CustomerId = "c-1",
            OccurredAt = At,
            Channel = Channel.PointOfSale,
            Kind = TouchpointKind.Visit,
            RecordedBy = "store_tills",
        };

        var kept = LogCodec.DecodeTouchpoint(LogCodec.Encode(sale));
        var withoutKey = LogCodec.Encode(sale with { RecordedBy = null });

        Assert.Equal("store_tills", kept.RecordedBy);
        Assert.DoesNotContain("recordedBy", withoutKey);
        Assert.Null(LogCodec.DecodeTouchpoint(withoutKey).RecordedBy);
    }
}

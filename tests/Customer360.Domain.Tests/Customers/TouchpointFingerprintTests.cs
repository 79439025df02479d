using Customer360.Domain.Customers;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Customers;

public sealed class TouchpointFingerprintTests
{
    private static readonly Touchpoint Basket = Purchase("p1", Day(-1), 25m) with
    {
        LineItems = [new LineItem("sku-1", "shoes", 1, new Money(25m, "USD"))],
        Attributes = new Dictionary<string, string> { ["store"] = "berlin-3", ["till"] = "7" },
        SourceSystem = "pos",
    };

    [Fact]
    public void SameContentGivesTheSameFingerprint() =>
        Assert.Equal(TouchpointFingerprint.Of(Basket), TouchpointFingerprint.Of(Basket with { }));

    [Fact]
    public void AttributeOrderAndTrailingZerosDoNotMatter()
    {
        var reordered = Basket with
        {
            Amount = new Money(25.00m, "USD"),
            Attributes = new Dictionary<string, string> { ["till"] = "7", ["store"] = "berlin-3" },
        };

        Assert.Equal(TouchpointFingerprint.Of(Basket), TouchpointFingerprint.Of(reordered));
    }

    [Fact]
    public void TheKeyThatRecordedItIsNotPartOfTheContent() =>
        Assert.Equal(TouchpointFingerprint.Of(Basket), TouchpointFingerprint.Of(Basket with { RecordedBy = "store_tills" }));

    [Fact]
    public void ReportingAmountIsNotPartOfTheContent() =>
        Assert.Equal(TouchpointFingerprint.Of(Basket), TouchpointFingerprint.Of(Basket with { ReportingAmount = 999m }));

    public static TheoryData<string> Changes() =>
    [
        "customer", "event", "time", "channel", "kind", "amount", "currency", "line sku", "line quantity",
        "line price", "attribute value", "attribute key", "source", "no amount",
    ];

    [Theory]
    [MemberData(nameof(Changes))]
    public void EverySentFieldChangesTheFingerprint(string change)
    {
        var changed = change switch
        {
            "customer" => Basket with { CustomerId = "customer-2" },
            "event" => Basket with { EventId = "p2" },
            "time" => Basket with { OccurredAt = Basket.OccurredAt.AddTicks(1) },
            "channel" => Basket with { Channel = Channel.PointOfSale },
            "kind" => Basket with { Kind = TouchpointKind.Return },
            "amount" => Basket with { Amount = new Money(25.01m, "USD") },
            "currency" => Basket with { Amount = new Money(25m, "EUR") },
            "line sku" => Basket with { LineItems = [new LineItem("sku-2", "shoes", 1, new Money(25m, "USD"))] },
            "line quantity" => Basket with { LineItems = [new LineItem("sku-1", "shoes", 2, new Money(25m, "USD"))] },
            "line price" => Basket with { LineItems = [new LineItem("sku-1", "shoes", 1, null)] },
            "attribute value" => Basket with { Attributes = new Dictionary<string, string> { ["store"] = "berlin-4", ["till"] = "7" } },
            "attribute key" => Basket with { Attributes = new Dictionary<string, string> { ["store"] = "berlin-3", ["tilL"] = "7" } },
            "source" => Basket with { SourceSystem = "web" },
            "no amount" => Basket with { Amount = null },
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };

        Assert.NotEqual(TouchpointFingerprint.Of(Basket), TouchpointFingerprint.Of(changed));
    }

    [Fact]
    public void FieldBoundariesCannotBeShifted()
    {
        // Without length prefixes "ab"+"c" and "a"+"bc" would read the same.
        var a = Basket with { Attributes = new Dictionary<string, string> { ["ab"] = "c" } };
        var b = Basket with { Attributes = new Dictionary<string, string> { ["a"] = "bc" } };

        Assert.NotEqual(TouchpointFingerprint.Of(a), TouchpointFingerprint.Of(b));
    }
}

public sealed class TouchpointFingerprintStabilityTests
{
    // Fingerprints are stored in the customer log, so the canonical form may never change: these
    // values were computed by the first implementation and every later one must reproduce them.
    // The second touchpoint has text outside ASCII and a surrogate pair, because the form
    // prefixes each field with its length in UTF-16 code units but hashes it as UTF-8.
    [Fact]
    public void StoredFingerprintsNeverChange()
    {
        var plain = new Touchpoint
        {
            EventId = "evt-1",
            CustomerId = "cust-1",
            OccurredAt = new DateTimeOffset(2026, 3, 1, 12, 30, 0, TimeSpan.Zero),
            Channel = Channel.Web,
            Kind = TouchpointKind.Visit,
        };
        var rich = new Touchpoint
        {
            EventId = "évt-ß-2",
            CustomerId = "kunde-Zürich-😀",
            OccurredAt = new DateTimeOffset(2025, 12, 31, 23, 59, 59, 999, TimeSpan.Zero).AddTicks(1234),
            Channel = Channel.PointOfSale,
            Kind = TouchpointKind.Purchase,
            Amount = new Money(1234.5000m, "CHF"),
            ReportingAmount = 1296.23m,
            LineItems =
            [
                new LineItem("sku-ä", "café", 3, new Money(411.50m, "CHF")),
                new LineItem("sku-2", "", 1, null),
            ],
            Attributes = new Dictionary<string, string> { ["till"] = "7", ["store"] = "zürich-1", ["a"] = "" },
            SourceSystem = "pos-😀",
        };

        Assert.Equal(-2417065087967450267L, TouchpointFingerprint.Of(plain));
        Assert.Equal(-1557734467852244467L, TouchpointFingerprint.Of(rich));
    }

    // Content larger than the stack buffer takes the pooled path; it must give the documented
    // form all the same, which this test writes out the plain way.
    [Fact]
    public void LongContentFollowsTheDocumentedForm()
    {
        var longText = string.Concat(Enumerable.Repeat("Zürich-😀-", 300));
        var touchpoint = new Touchpoint
        {
            EventId = "e-long",
            CustomerId = "c-long",
            OccurredAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
            Channel = Channel.Email,
            Kind = TouchpointKind.Return,
            Amount = new Money(-10.10m, "EUR"),
            LineItems = [new LineItem(longText, "c", 2, new Money(5.050m, "EUR"))],
            Attributes = new Dictionary<string, string> { ["z"] = longText, ["b"] = "1" },
            SourceSystem = "crm",
        };

        var text = new System.Text.StringBuilder();
        void Field(string value) => text.Append(value.Length).Append(':').Append(value);
        Field("c-long");
        Field("e-long");
        Field(touchpoint.OccurredAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field(((int)Channel.Email).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field(((int)TouchpointKind.Return).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field("-10.1");
        Field("EUR");
        Field("1");
        Field(longText);
        Field("c");
        Field("2");
        Field("5.05");
        Field("EUR");
        Field("2");
        Field("b");
        Field("1");
        Field("z");
        Field(longText);
        Field("crm");
        var digest = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString()));

        Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(digest), TouchpointFingerprint.Of(touchpoint));
    }
}

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

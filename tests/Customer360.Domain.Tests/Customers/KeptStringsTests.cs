using Customer360.Domain.Customers;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Customers;

/// <summary>The table of repeated strings behind kept touchpoints: numbered once, bounded, and read back exactly.</summary>
public sealed class KeptStringsTests
{
    [Fact]
    public void AStringKeepsItsFirstNumberAndReadsBackAsTheSameObject()
    {
        var strings = new KeptStrings(capacity: 10);

        var eur = strings.NumberOf("EUR");
        var till = strings.NumberOf("till-007");

        Assert.Equal((0, 1), (eur, till));
        Assert.Equal(eur, strings.NumberOf(new string("EUR".AsSpan())));
        Assert.Same(strings[eur], strings[strings.NumberOf("EUR")]);
        Assert.Equal("till-007", strings[till]);
        Assert.Equal(2, strings.Count);
        Assert.Throws<InvalidDataException>(() => strings[2]);
    }

    [Fact]
    public void LongStringsAndStringsBeyondTheCapacityAreNotNumbered()
    {
        var strings = new KeptStrings(capacity: 2);

        Assert.Equal(-1, strings.NumberOf(new string('x', KeptStrings.MaxLength + 1)));
        Assert.Equal(0, strings.NumberOf(new string('x', KeptStrings.MaxLength)));
        Assert.Equal(1, strings.NumberOf("b"));
        Assert.Equal(-1, strings.NumberOf("c"));
        Assert.Equal(1, strings.NumberOf("b"));
        Assert.Equal(2, strings.Count);
    }

    [Fact]
    public void TouchpointsDecodeTheSameWhetherTheirStringsAreNumberedOrWrittenOut()
    {
        // A table with room for only some of them: the rest are written out in the same encoding.
        var full = new KeptStrings(capacity: 3);
        var none = new KeptStrings(capacity: 0);
        var sent = Purchase("p1", Day(-1), 45.5m) with
        {
            LineItems =
            [
                new LineItem("SKU-00001", "shoes", 1, new Money(20m, "USD")),
                new LineItem("SKU-00002", new string('c', 80), 1, new Money(25.5m, "USD")),
            ],
            Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["campaign"] = "", ["note"] = "Grüße" },
            SourceSystem = "till-042",
        };

        foreach (var strings in new[] { full, none, new KeptStrings(capacity: 100) })
        {
            var kept = TouchpointCodec.Decode(TouchpointCodec.Encode(sent, CustomerId, strings), CustomerId, strings);

            Assert.Equal(sent.LineItems, kept.LineItems);
            Assert.Equal(sent.Attributes.OrderBy(a => a.Key), kept.Attributes.OrderBy(a => a.Key));
            Assert.Equal(sent.Amount, kept.Amount);
            Assert.Equal("till-042", kept.SourceSystem);
            Assert.Equal(TouchpointFingerprint.Of(sent), TouchpointFingerprint.Of(kept));
        }

        Assert.Equal(3, full.Count);
        Assert.Equal(0, none.Count);
    }

    [Fact]
    public void AttributeValuesAreWrittenOutAndOnlyTheirKeysNumbered()
    {
        // An order reference is unique to its touchpoint: numbered, such values would fill the table.
        var strings = new KeptStrings(capacity: 100);
        var sent = Event("v1", Day(-1), Channel.Web, TouchpointKind.Visit) with
        {
            Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["order_ref"] = "R-000000123" },
            SourceSystem = "web-shop",
        };

        var kept = TouchpointCodec.Decode(TouchpointCodec.Encode(sent, CustomerId, strings), CustomerId, strings);

        Assert.Equal("R-000000123", kept.Attributes["order_ref"]);
        Assert.Equal(2, strings.Count);
        Assert.True(strings.NumberOf("order_ref") < 2);
        Assert.True(strings.NumberOf("web-shop") < 2);
    }

    [Fact]
    public void NumberedStringsMakeATypicalPurchaseMuchSmaller()
    {
        var sent = Purchase("order-000123", Day(-1), 45.5m, currency: "EUR") with
        {
            LineItems =
            [
                new LineItem("SKU-04211", "outerwear", 1, new Money(20m, "EUR")),
                new LineItem("SKU-00815", "footwear", 1, new Money(25.5m, "EUR")),
            ],
            SourceSystem = "till-042",
        };

        var written = TouchpointCodec.Encode(sent, CustomerId, new KeptStrings(capacity: 0)).Length;
        var numbered = TouchpointCodec.Encode(sent, CustomerId, new KeptStrings(capacity: 100)).Length;

        // Three currencies, two SKUs, two categories and a source system: 60 bytes written out
        // with their lengths, a byte each numbered.
        Assert.Equal(60 - 8, written - numbered);
    }

    [Fact]
    public void ThreadsNumberingTheSameStringsAgreeOnEveryNumber()
    {
        var strings = new KeptStrings(capacity: 5_000);
        var values = Enumerable.Range(0, 3_000).Select(i => $"SKU-{i:D5}").ToArray();
        var seen = new int[8][];

        Parallel.For(0, seen.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            var order = values.OrderBy(_ => Random.Shared.Next()).ToArray();
            var numbers = new int[values.Length];
            foreach (var value in order)
            {
                var number = strings.NumberOf(value);
                Assert.Equal(value, strings[number]);
                numbers[int.Parse(value.AsSpan(4))] = number;
            }

            seen[t] = numbers;
        });

        Assert.Equal(values.Length, strings.Count);
        Assert.All(seen, numbers => Assert.Equal(seen[0], numbers));
        Assert.Equal(values.Length, seen[0].Distinct().Count());
    }
}

using Customer360.Domain.Customers;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Customers;

/// <summary>What a customer keeps in memory: remembered events as hashes, touchpoints sharing what they repeat.</summary>
public sealed class CompactMemoryTests
{
    [Fact]
    public void TheEventWindowForgetsTheOldestArrivalsAndKeepsTheirOrder()
    {
        var window = new AppliedEventWindow();
        for (var i = 1; i <= 10; i++)
        {
            window.Add(i, 100 + i, window: 4);
        }

        Assert.Equal(4, window.Count);
        Assert.Equal([7L, 8L, 9L, 10L], window.Events.Select(e => e.IdHash));
        Assert.Equal([107L, 108L, 109L, 110L], window.Events.Select(e => e.Fingerprint));
        Assert.False(window.Contains(6));
        Assert.True(window.TryGetFingerprint(9, out var fingerprint));
        Assert.Equal(109, fingerprint);
    }

    [Fact]
    public void TheEventWindowShrinksWhenTheWindowDoes()
    {
        var window = new AppliedEventWindow();
        for (var i = 1; i <= 8; i++)
        {
            window.Add(i, i, window: 8);
        }

        window.Add(9, 9, window: 3);

        Assert.Equal([7L, 8L, 9L], window.Events.Select(e => e.IdHash));
    }

    [Theory]
    [InlineData(8, 1)]
    [InlineData(8, 3)]
    [InlineData(8, 7)]
    [InlineData(128, 100)]
    public void AWindowCutToSizeGrowsAgainAndForgetsInArrivalOrder(int capacity, int remembered)
    {
        // Filled past its capacity, so that the oldest slot is not the first, then shrunk: the
        // cut has to put the remembered events back in arrival order in a smaller buffer.
        var window = new AppliedEventWindow();
        for (var i = 1; i <= capacity + 3; i++)
        {
            window.Add(i, -i, window: capacity);
        }

        window.Add(500, -500, window: remembered);
        var before = window.Events.ToArray();
        Assert.Equal(remembered, before.Length);

        Assert.Equal(capacity, window.Capacity);

        window.TrimExcess();

        Assert.Equal(remembered, window.Capacity);
        Assert.Equal(before, window.Events);
        for (var i = 1; i <= 6; i++)
        {
            window.Add(1000 + i, -1000 - i, window: remembered + 4);
        }

        var expected = before.Select(e => e.IdHash).Concat(Enumerable.Range(1001, 6).Select(i => (long)i)).TakeLast(remembered + 4).ToArray();
        Assert.Equal(expected, window.Events.Select(e => e.IdHash));
        Assert.Equal(expected.Select(i => -i), window.Events.Select(e => e.Fingerprint));
        Assert.All(expected, id => Assert.True(window.TryGetFingerprint(id, out var f) && f == -id));
    }

    [Fact]
    public void AnEventIdIsRememberedByItsHash()
    {
        var customer = CustomerWith([Purchase("p1", Day(-1), 10m)]);

        Assert.Equal([EventIdHash.Of("p1")], customer.AppliedEvents.Select(e => e.IdHash));
        Assert.NotEqual(EventIdHash.Of("p1"), EventIdHash.Of("P1"));
    }

    [Fact]
    public void ApplyNewAppliesEvenAnIdTheWindowRemembers()
    {
        // The log has the last word: an entry it took is applied whatever the window says.
        var customer = CustomerWith([Purchase("p1", Day(-2), 10m)]);

        customer.ApplyNew(Purchase("p1", Day(-1), 5m), 1, new CustomerRules(), Now);

        Assert.Equal(2, customer.Aggregates.OrderCount);
        Assert.Equal(2, customer.Version);
    }

    [Fact]
    public void AKeptTouchpointDecodesToTheSameContentWithEveryField()
    {
        // Not validated: the codec keeps whatever it is given, negative figures included.
        var sent = Raw("p1", new DateTimeOffset(2025, 6, 1, 10, 30, 0, TimeSpan.FromHours(2)), Channel.PointOfSale, TouchpointKind.Purchase, new Money(-30.50m, "EUR")) with
        {
            ReportingAmount = -33.17m,
            LineItems =
            [
                new LineItem("SKU-1", "shoes", 2, new Money(15.25m, "EUR")),
                new LineItem("SKU-ü", "Ärmel", -1, null),
            ],
            Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["campaign"] = "spring", ["store"] = "Zürich 7" },
            SourceSystem = "till",
            RecordedBy = "store_tills",
        };

        var kept = TouchpointCodec.Decode(TouchpointCodec.Encode(sent, CustomerId), CustomerId);
        var keptWithoutKey = TouchpointCodec.Decode(TouchpointCodec.Encode(sent with { RecordedBy = null }, CustomerId), CustomerId);

        Assert.Equal(TouchpointFingerprint.Of(sent), TouchpointFingerprint.Of(kept));
        Assert.Equal(sent.EventId, kept.EventId);
        Assert.Equal(sent.OccurredAt, kept.OccurredAt);
        Assert.Equal(sent.OccurredAt.Offset, kept.OccurredAt.Offset);
        Assert.Equal((Channel.PointOfSale, TouchpointKind.Purchase), (kept.Channel, kept.Kind));
        Assert.Equal(sent.Amount, kept.Amount);
        Assert.Equal(sent.ReportingAmount, kept.ReportingAmount);
        Assert.Equal(sent.LineItems, kept.LineItems);
        Assert.Equal(sent.Attributes.OrderBy(a => a.Key), kept.Attributes.OrderBy(a => a.Key));
        Assert.Equal("till", kept.SourceSystem);
        Assert.Equal("store_tills", kept.RecordedBy);
        Assert.Null(keptWithoutKey.RecordedBy);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("12.34")]
    [InlineData("12.3400")]
    [InlineData("-0.0000000000000000000000000001")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("-79228162514264337593543950335")]
    [InlineData("4294967296.5")]
    public void AKeptAmountKeepsItsValueAndScaleExactly(string amount)
    {
        var value = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);
        var sent = Raw("p1", Day(-1), Channel.Web, TouchpointKind.Purchase, new Money(value, "USD")) with { ReportingAmount = value };

        var kept = TouchpointCodec.Decode(TouchpointCodec.Encode(sent, CustomerId), CustomerId);

        // The text form shows the scale: 12.3400 must not come back as 12.34.
        Assert.Equal(amount, kept.Amount!.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(amount, kept.ReportingAmount!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void AKeptTouchpointTakesTheCustomersIdAndPooledStrings()
    {
        var customerId = new string("customer-1".AsSpan());
        var sent = Raw("p1", Day(-1), Channel.Web, TouchpointKind.Purchase, new Money(30m, "EUR")) with
        {
            CustomerId = "customer-1",
            LineItems = [new LineItem("SKU-1", "shoes", 1, new Money(30m, "EUR"))],
            SourceSystem = "till",
        };

        var first = TouchpointCodec.Decode(TouchpointCodec.Encode(sent, customerId), customerId);
        var second = TouchpointCodec.Decode(TouchpointCodec.Encode(sent with { EventId = "p2" }, customerId), customerId);

        Assert.Same(customerId, first.CustomerId);
        Assert.Same(first.SourceSystem, second.SourceSystem);
        Assert.Same(first.LineItems[0].Sku, second.LineItems[0].Sku);
        Assert.Same(first.Amount!.Currency, second.LineItems[0].UnitPrice!.Currency);
        Assert.NotSame(first.EventId, second.EventId);
    }

    [Fact]
    public void AKeptTouchpointOfAnotherCustomerIdKeepsThatId()
    {
        // Not sent by the API (the customer grain refuses it), but a snapshot may hold anything.
        var sent = Event("v1", Day(-1), Channel.Web, TouchpointKind.Visit) with { CustomerId = "someone-else" };

        var kept = TouchpointCodec.Decode(TouchpointCodec.Encode(sent, CustomerId), CustomerId);

        Assert.Equal("someone-else", kept.CustomerId);
    }

    [Fact]
    public void KeptTouchpointsWithoutAttributesOrLinesShareTheEmptyOnes()
    {
        var a = TouchpointCodec.Decode(TouchpointCodec.Encode(Event("v1", Day(-1), Channel.Web, TouchpointKind.Visit), CustomerId), CustomerId);
        var b = TouchpointCodec.Decode(TouchpointCodec.Encode(Event("v2", Day(-1), Channel.Web, TouchpointKind.Visit), CustomerId), CustomerId);

        Assert.Same(a.Attributes, b.Attributes);
        Assert.Same(a.LineItems, b.LineItems);
    }

    [Fact]
    public void ATouchpointWithNullStringsFromOutsideTheApiIsKeptAsItIs()
    {
        // What a log row written by other means may decode to: the API never stores these nulls.
        var odd = Raw("p9", Day(-1), Channel.PointOfSale, TouchpointKind.Purchase, new Money(5m, null!)) with
        {
            LineItems = [new LineItem(null!, null!, 2, null)],
            Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["note"] = null! },
            SourceSystem = null!,
        };

        var kept = TouchpointCodec.Decode(TouchpointCodec.Encode(odd, CustomerId), CustomerId);

        Assert.Null(kept.SourceSystem);
        Assert.Null(kept.Amount!.Currency);
        Assert.Null(kept.LineItems[0].Sku);
        Assert.Null(kept.LineItems[0].Category);
        Assert.Equal(2, kept.LineItems[0].Quantity);
        Assert.Null(kept.Attributes["note"]);
    }

    [Fact]
    public void TheWindowFindsAKeptTouchpointByItsExactEventId()
    {
        var customer = CustomerWith(
        [
            Purchase("order-17", Day(-2), 10m),
            Purchase("order-170", Day(-1), 20m),
            Event("visit-ü", Day(-3), Channel.Web, TouchpointKind.Visit),
        ]);

        Assert.Equal(20m, customer.RecentTouchpoints.Find("order-170")!.Amount!.Amount);
        Assert.Equal(10m, customer.RecentTouchpoints.Find("order-17")!.Amount!.Amount);
        Assert.Equal(TouchpointKind.Visit, customer.RecentTouchpoints.Find("visit-ü")!.Kind);
        Assert.Null(customer.RecentTouchpoints.Find("order-1"));
        Assert.Null(customer.RecentTouchpoints.Find("ORDER-17"));
    }

    [Fact]
    public void AFullWindowKeepsEachTouchpointInAFewDozenBytes()
    {
        var rules = new CustomerRules { RecentWindow = 50 };
        var customer = CustomerWith(
            Enumerable.Range(1, 60).Select(i => Accept(Purchase($"order-{i:D6}-of-the-web-shop", Day(-i), 12.34m + i)) with
            {
                LineItems = [new LineItem("SKU-000123", "shoes", 1, new Money(12.34m + i, "USD"))],
                SourceSystem = "web-shop",
            }),
            rules);

        Assert.Equal(50, customer.RecentTouchpoints.Count);

        // As objects each was about 330 bytes; encoded, under 80 here: a 28-character event id and
        // the event time are most of it, and the two amounts, the line item and the numbered
        // strings (one to three bytes each, by how many the process has numbered) the rest.
        Assert.InRange(customer.RecentTouchpoints.EncodedBytes / 50.0, 40, 80);
    }

    [Fact]
    public void LongStringsAreKeptWholeAndFoundByTheirExactId()
    {
        // Longer than the pool takes and, at 372 bytes of UTF-8, than the conflict check compares on the stack.
        var eventId = "order-" + new string('€', 122);
        var note = string.Concat(Enumerable.Repeat("Grüße aus Zürich. ", 20));
        var sent = Purchase(eventId, Day(-1), 10m) with
        {
            Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["note"] = note },
            SourceSystem = new string('s', 100),
        };
        var customer = CustomerWith([sent, Purchase("other", Day(-2), 5m)]);

        var kept = customer.RecentTouchpoints.Find(eventId)!;

        Assert.Equal(eventId, kept.EventId);
        Assert.Equal(note, kept.Attributes["note"]);
        Assert.Equal(new string('s', 100), kept.SourceSystem);
        Assert.Null(customer.RecentTouchpoints.Find(eventId[..^1]));
        Assert.Equal(TouchpointFingerprint.Of(sent), TouchpointFingerprint.Of(kept));
    }
}

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
    public void ACompactedTouchpointSharesTheCustomerIdAndPooledStringsAndKeepsItsFingerprint()
    {
        var customerId = new string("customer-1".AsSpan());
        var sent = Accept(Raw("p1", Day(-1), Channel.Web, TouchpointKind.Purchase, new Money(30m, new string("EUR".AsSpan()))) with
        {
            LineItems = [new LineItem(new string("SKU-1".AsSpan()), new string("shoes".AsSpan()), 1, new Money(30m, new string("EUR".AsSpan())))],
            Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["campaign"] = "spring" },
            SourceSystem = new string("till".AsSpan()),
        });
        var again = sent with
        {
            EventId = "p2",
            LineItems = [new LineItem(new string("SKU-1".AsSpan()), new string("shoes".AsSpan()), 1, new Money(30m, new string("EUR".AsSpan())))],
            SourceSystem = new string("till".AsSpan()),
        };

        var first = TouchpointCompaction.Compact(sent, customerId);
        var second = TouchpointCompaction.Compact(again, customerId);

        Assert.Same(customerId, first.CustomerId);
        Assert.Same(first.SourceSystem, second.SourceSystem);
        Assert.Same(first.LineItems[0].Sku, second.LineItems[0].Sku);
        Assert.Same(first.LineItems[0].Category, second.LineItems[0].Category);
        Assert.Same(first.Amount!.Currency, second.LineItems[0].UnitPrice!.Currency);
        Assert.Equal(TouchpointFingerprint.Of(sent), TouchpointFingerprint.Of(first));
        Assert.Equal(sent.ReportingAmount, first.ReportingAmount);
    }

    [Fact]
    public void ACompactedTouchpointWithoutAttributesOrLinesSharesTheEmptyOnes()
    {
        var a = TouchpointCompaction.Compact(Event("v1", Day(-1), Channel.Web, TouchpointKind.Visit), CustomerId);
        var b = TouchpointCompaction.Compact(Event("v2", Day(-1), Channel.Web, TouchpointKind.Visit), CustomerId);

        Assert.Same(a.Attributes, b.Attributes);
        Assert.Same(a.LineItems, b.LineItems);
    }

    [Fact]
    public void ATouchpointWithNullStringsFromOutsideTheApiIsCompactedAsItIs()
    {
        // What a log row written by other means may decode to: the API never stores these nulls.
        var odd = Raw("p9", Day(-1), Channel.PointOfSale, TouchpointKind.Purchase, new Money(5m, null!)) with
        {
            LineItems = [new LineItem(null!, null!, 2, null)],
            Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["note"] = null! },
            SourceSystem = null!,
        };

        var kept = TouchpointCompaction.Compact(odd, CustomerId);

        Assert.Null(kept.SourceSystem);
        Assert.Null(kept.Amount!.Currency);
        Assert.Null(kept.LineItems[0].Sku);
        Assert.Null(kept.LineItems[0].Category);
        Assert.Equal(2, kept.LineItems[0].Quantity);
        Assert.Null(kept.Attributes["note"]);
    }
}

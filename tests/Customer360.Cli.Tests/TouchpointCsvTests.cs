using Customer360.Api.V1;
using Customer360.Cli.Import;

namespace Customer360.Cli.Tests;

public class TouchpointCsvTests
{
    private static readonly TouchpointCsv FullFormat = TouchpointCsv.FromHeader(TouchpointCsv.Header);

    [Fact]
    public void FullLineBecomesTouchpointWithOneLineItem()
    {
        var parsed = FullFormat.Parse("e-1,C000123,2026-03-01T10:15:00Z,point_of_sale,purchase,25.98,EUR,till-042,SKU-1,books,2,12.99", 2);

        Assert.Null(parsed.Error);
        var touchpoint = parsed.Message!;
        Assert.Equal("e-1", touchpoint.EventId);
        Assert.Equal("C000123", touchpoint.CustomerId);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 15, 0, TimeSpan.Zero), touchpoint.OccurredAt.ToDateTimeOffset());
        Assert.Equal(Channel.PointOfSale, touchpoint.Channel);
        Assert.Equal(TouchpointKind.Purchase, touchpoint.Kind);
        Assert.Equal(new Money { Amount = "25.98", CurrencyCode = "EUR" }, touchpoint.Amount);
        Assert.Equal("till-042", touchpoint.SourceSystem);
        var item = Assert.Single(touchpoint.LineItems);
        Assert.Equal(new LineItem { Sku = "SKU-1", Category = "books", Quantity = 2, UnitPrice = new Money { Amount = "12.99", CurrencyCode = "EUR" } }, item);
    }

    [Fact]
    public void TouchpointWithoutAmountHasNoMoneyAndNoLineItems()
    {
        var parsed = FullFormat.Parse("e-2,C1,2026-03-01T10:15:00Z,email,email_open,,,esp,,,,", 3);

        Assert.Null(parsed.Error);
        Assert.Null(parsed.Message!.Amount);
        Assert.Empty(parsed.Message.LineItems);
    }

    [Fact]
    public void ColumnsMayComeInAnyOrderAndOptionalOnesMayBeLeftOut()
    {
        var format = TouchpointCsv.FromHeader("kind,channel,customer_id,event_id,occurred_at,amount");

        var parsed = format.Parse("return,web,C9,e-9,2026-01-02T03:04:05+01:00,5.00", 2);

        Assert.Null(parsed.Error);
        Assert.Equal(TouchpointKind.Return, parsed.Message!.Kind);
        Assert.Equal(Channel.Web, parsed.Message.Channel);
        Assert.Equal("EUR", parsed.Message.Amount.CurrencyCode);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 2, 4, 5, TimeSpan.Zero), parsed.Message.OccurredAt.ToDateTimeOffset());
    }

    [Theory]
    [InlineData("e-1,C1,yesterday,web,visit,,,,,,,", "occurred_at")]
    [InlineData("e-1,C1,2026-03-01T10:15:00,web,visit,,,,,,,", "occurred_at")]
    [InlineData("e-1,C1,2026-03-01T10:15:00Z,telepathy,visit,,,,,,,", "channel")]
    [InlineData("e-1,C1,2026-03-01T10:15:00Z,web,browse,,,,,,,", "kind")]
    [InlineData("e-1,C1,2026-03-01T10:15:00Z,web,purchase,12;50,EUR,,,,,", "amount")]
    [InlineData("e-1,C1,2026-03-01T10:15:00Z,web,purchase,12.50,EURO,,,,,", "currency")]
    [InlineData("e-1,C1,2026-03-01T10:15:00Z,web,purchase,12.50,EUR,,SKU,cat,two,6.25", "quantity")]
    [InlineData("e-1,,2026-03-01T10:15:00Z,web,visit,,,,,,,", "customer_id")]
    [InlineData(",C1,2026-03-01T10:15:00Z,web,visit,,,,,,,", "event_id")]
    public void BadFieldIsReportedByName(string line, string field)
    {
        var parsed = FullFormat.Parse(line, 7);

        Assert.Null(parsed.Message);
        Assert.Equal(7, parsed.LineNumber);
        Assert.StartsWith(field + ":", parsed.Error);
    }

    [Fact]
    public void WrongNumberOfFieldsIsRejectedButKeepsTheEventId()
    {
        var parsed = FullFormat.Parse("e-5,C1,2026-03-01T10:15:00Z,web", 4);

        Assert.Null(parsed.Message);
        Assert.Contains("expected 12 fields", parsed.Error);
        Assert.Equal("e-5", parsed.EventId);
    }

    [Theory]
    [InlineData("event_id,customer_id,occurred_at,channel", "missing column(s) kind")]
    [InlineData("event_id,customer_id,occurred_at,channel,kind,colour", "unknown column 'colour'")]
    [InlineData("event_id,customer_id,occurred_at,channel,kind,kind", "appears twice")]
    public void UnusableHeaderIsRefusedWhole(string header, string message)
    {
        var error = Assert.Throws<FormatException>(() => TouchpointCsv.FromHeader(header));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void HeaderMayStartWithAByteOrderMarkAndUseCapitals()
    {
        var format = TouchpointCsv.FromHeader("\uFEFFEvent_Id,Customer_Id,Occurred_At,Channel,Kind");
        Assert.Null(format.Parse("e,c,2026-03-01T10:15:00Z,web,visit", 2).Error);
    }

    [Fact]
    public void FormattedLineParsesBackToTheSameTouchpoint()
    {
        var touchpoint = new Touchpoint
        {
            EventId = "e,with comma",
            CustomerId = "C \"quoted\"",
            OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero)),
            Channel = Channel.MobileApp,
            Kind = TouchpointKind.Purchase,
            Amount = new Money { Amount = "9.99", CurrencyCode = "EUR" },
            SourceSystem = "app-ios",
            LineItems = { new LineItem { Sku = "A", Category = "b", Quantity = 1, UnitPrice = new Money { Amount = "9.99", CurrencyCode = "EUR" } } },
        };

        var parsed = FullFormat.Parse(TouchpointCsv.Format(touchpoint), 2);

        Assert.Equal(touchpoint, parsed.Message);
    }
}

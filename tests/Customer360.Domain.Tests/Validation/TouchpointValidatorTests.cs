using Customer360.Domain.Customers;
using Customer360.Domain.Validation;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Validation;

public sealed class TouchpointValidatorTests
{
    private static Touchpoint ValidPurchase() => Raw("order-1", Day(-1), Channel.PointOfSale, TouchpointKind.Purchase, new Money(200m, "EUR")) with
    {
        LineItems = [new LineItem("SKU-1", "shoes", 2, new Money(100m, "EUR"))],
        Attributes = new Dictionary<string, string> { ["store"] = "042" },
        SourceSystem = "pos",
    };

    private static ValidationError Rejected(Touchpoint touchpoint, InputLimits? limits = null)
    {
        var (accepted, error) = Validator(limits).Validate(touchpoint, Now);
        Assert.Null(accepted);
        return Assert.IsType<ValidationError>(error);
    }

    private static Touchpoint Accepted(Touchpoint touchpoint)
    {
        var (accepted, error) = Validator().Validate(touchpoint, Now);
        Assert.Null(error);
        return Assert.IsType<Touchpoint>(accepted);
    }

    [Fact]
    public void AcceptedTouchpointCarriesTheReportingAmountAndUtcTime()
    {
        var sent = ValidPurchase() with { OccurredAt = new DateTimeOffset(2025, 6, 14, 18, 0, 0, TimeSpan.FromHours(2)) };

        var accepted = Accepted(sent);

        Assert.Equal(220m, accepted.ReportingAmount); // 200 EUR at 1.1
        Assert.Equal(TimeSpan.Zero, accepted.OccurredAt.Offset);
        Assert.Equal(Utc(2025, 6, 14, 16), accepted.OccurredAt);
        Assert.Equal(new Money(200m, "EUR"), accepted.Amount);
        Assert.Equal(sent.EventId, accepted.EventId);
        Assert.Same(sent.LineItems, accepted.LineItems);
        Assert.Same(sent.Attributes, accepted.Attributes);
        Assert.Equal("pos", accepted.SourceSystem);
    }

    [Theory]
    [InlineData("USD", 19.99, 19.99)]
    [InlineData("GBP", 80, 100)]
    [InlineData("EUR", 12.345, 13.5795)]
    [InlineData("USD", 0.00005, 0)] // half to even at four places
    [InlineData("USD", 0.00015, 0.0002)]
    [InlineData("EUR", 0.00005, 0.0001)] // 0.000055
    public void ReportingAmountIsConvertedAtTheTableRateToFourPlaces(string currency, decimal amount, decimal expected)
    {
        var accepted = Accepted(Raw("r1", Day(-1), Channel.Web, TouchpointKind.Return, new Money(amount, currency)));

        Assert.Equal(expected, accepted.ReportingAmount);
    }

    [Fact]
    public void ReportingAmountSentByTheClientIsReplaced()
    {
        var accepted = Accepted(ValidPurchase() with { ReportingAmount = 1_000_000m });

        Assert.Equal(220m, accepted.ReportingAmount);
    }

    [Fact]
    public void NonMonetaryTouchpointHasNoReportingAmount()
    {
        var accepted = Accepted(Raw("v1", Day(-1), Channel.Web, TouchpointKind.Visit) with { ReportingAmount = 5m });

        Assert.Null(accepted.ReportingAmount);
        Assert.Null(accepted.Amount);
    }

    [Fact]
    public void NonMonetaryTouchpointMayCarryAnAmountWithoutAReportingRate()
    {
        // A well-formed currency with no rate is fine where the amount is never summed.
        var accepted = Accepted(Raw("c1", Day(-1), Channel.CallCentre, TouchpointKind.Call, new Money(5m, "JPY")));

        Assert.Null(accepted.ReportingAmount);
    }

    [Fact]
    public void NonMonetaryTouchpointAmountMustStillBeWellFormed()
    {
        var error = Rejected(Raw("c1", Day(-1), Channel.CallCentre, TouchpointKind.Call, new Money(-5m, "USD")));

        Assert.Equal("amount.amount", error.Field);
    }

    [Fact]
    public void ZeroAmountPurchaseIsAccepted()
    {
        var accepted = Accepted(ValidPurchase() with { Amount = new Money(0m, "EUR"), LineItems = [] });

        Assert.Equal(0m, accepted.ReportingAmount);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void EmptyCustomerIdIsRejected(string? customerId)
    {
        var error = Rejected(ValidPurchase() with { CustomerId = customerId! });

        Assert.Equal("customer_id", error.Field);
        Assert.Equal("must not be empty", error.Message);
    }

    [Fact]
    public void CustomerIdOver128CharactersIsRejected()
    {
        Assert.Equal("customer_id", Rejected(ValidPurchase() with { CustomerId = new string('c', 129) }).Field);
        Accepted(ValidPurchase() with { CustomerId = new string('c', 128) });
    }

    [Fact]
    public void CustomerIdWithControlCharacterIsRejected()
    {
        Assert.Equal("customer_id", Rejected(ValidPurchase() with { CustomerId = "cust\u0001omer" }).Field);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void EmptyEventIdIsRejected(string? eventId)
    {
        var error = Rejected(ValidPurchase() with { EventId = eventId! });

        Assert.Equal("event_id", error.Field);
        Assert.Equal("must not be empty", error.Message);
    }

    [Fact]
    public void EventIdOver128CharactersIsRejected()
    {
        Assert.Equal("event_id", Rejected(ValidPurchase() with { EventId = new string('e', 129) }).Field);
        Accepted(ValidPurchase() with { EventId = new string('e', 128) });
    }

    [Theory]
    [InlineData("order\n1")]
    [InlineData("order\t1")]
    [InlineData("order\u007f1")]
    public void EventIdWithControlCharacterIsRejected(string eventId)
    {
        Assert.Equal("event_id", Rejected(ValidPurchase() with { EventId = eventId }).Field);
    }

    [Theory]
    [InlineData(" order-1")]
    [InlineData("order-1 ")]
    [InlineData("order-1\u00a0")]
    [InlineData("\u2003order-1")]
    public void EventIdWithLeadingOrTrailingWhiteSpaceIsRejected(string eventId)
    {
        var error = Rejected(ValidPurchase() with { EventId = eventId });

        Assert.Equal("event_id", error.Field);
        Assert.Equal("must not start or end with white space", error.Message);
    }

    [Fact]
    public void EventIdWithWhiteSpaceInsideIsAccepted()
    {
        Assert.Equal("order 1", Accepted(ValidPurchase() with { EventId = "order 1" }).EventId);
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")] // .NET's default, and what a missing time maps to
    [InlineData("1900-01-01T00:00:00Z")]
    [InlineData("1969-12-31T22:00:00-02:00")] // the Unix epoch from a till two hours west
    [InlineData("1970-01-01T00:00:00Z")]
    public void AnEventTimeAtOrBeforeTheFloorIsRefusedNamingTheFloor(string at)
    {
        var occurredAt = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);

        var error = Rejected(ValidPurchase() with { OccurredAt = occurredAt });

        Assert.Equal("occurred_at", error.Field);
        Assert.Equal($"must be after 1970-01-01T00:00:00Z; got {occurredAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}", error.Message);
    }

    [Fact]
    public void HistoricalEventTimesAfterTheFloorAreAccepted()
    {
        Accepted(ValidPurchase() with { OccurredAt = Utc(1970, 1, 1, 0, 0, 1) });
        Accepted(ValidPurchase() with { OccurredAt = Utc(1997, 1, 1) }); // the CDNOW log's first day
    }

    [Fact]
    public void TheFloorComesFromTheLimits()
    {
        var older = new InputLimits { EventTimeFloor = Utc(1900, 1, 1) };
        var newer = new InputLimits { EventTimeFloor = Utc(2000, 1, 1) };

        Assert.Null(Validator(older).Validate(ValidPurchase() with { OccurredAt = Utc(1955, 3, 1) }, Now).Error);
        Assert.Equal("must be after 2000-01-01T00:00:00Z; got 1999-12-31T00:00:00Z", Rejected(ValidPurchase() with { OccurredAt = Utc(1999, 12, 31) }, newer).Message);
    }

    [Fact]
    public void EventTimeMoreThan24HoursAheadIsRejected()
    {
        var error = Rejected(ValidPurchase() with { OccurredAt = Now.AddHours(24).AddTicks(1) });

        Assert.Equal("occurred_at", error.Field);
        Assert.Equal("is more than 24 h in the future", error.Message);
    }

    [Fact]
    public void EventTimeUpTo24HoursAheadIsAccepted()
    {
        Accepted(ValidPurchase() with { OccurredAt = Now.AddHours(24) });
        // The same instant written with another offset is the same instant.
        Accepted(ValidPurchase() with { OccurredAt = Now.AddHours(24).ToOffset(TimeSpan.FromHours(-7)) });
    }

    [Fact]
    public void FutureAllowanceComesFromTheLimits()
    {
        var limits = new InputLimits { MaxFutureSkew = TimeSpan.FromMinutes(5) };

        var error = Rejected(ValidPurchase() with { OccurredAt = Now.AddMinutes(6) }, limits);

        Assert.Equal("occurred_at", error.Field);
    }

    [Fact]
    public void OldEventTimeIsAccepted()
    {
        Accepted(ValidPurchase() with { OccurredAt = Utc(1999, 12, 31, 23, 59, 59) });
    }

    [Theory]
    [InlineData(Channel.Unspecified)]
    [InlineData((Channel)8)]
    [InlineData((Channel)(-1))]
    public void UnspecifiedOrUnknownChannelIsRejected(Channel channel)
    {
        Assert.Equal("channel", Rejected(ValidPurchase() with { Channel = channel }).Field);
    }

    [Theory]
    [InlineData(TouchpointKind.Unspecified)]
    [InlineData((TouchpointKind)11)]
    public void UnspecifiedOrUnknownKindIsRejected(TouchpointKind kind)
    {
        Assert.Equal("kind", Rejected(ValidPurchase() with { Kind = kind }).Field);
    }

    [Fact]
    public void EveryKnownChannelAndKindIsAccepted()
    {
        foreach (var channel in Enum.GetValues<Channel>().Where(c => c != Channel.Unspecified))
        {
            foreach (var kind in Enum.GetValues<TouchpointKind>().Where(k => k != TouchpointKind.Unspecified))
            {
                Accepted(ValidPurchase() with { Channel = channel, Kind = kind });
            }
        }
    }

    [Theory]
    [InlineData(TouchpointKind.Purchase, "is required for a purchase")]
    [InlineData(TouchpointKind.Return, "is required for a return")]
    public void PurchaseOrReturnWithoutAmountIsRejected(TouchpointKind kind, string message)
    {
        var error = Rejected(ValidPurchase() with { Kind = kind, Amount = null, LineItems = [] });

        Assert.Equal("amount", error.Field);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("eur")]
    [InlineData("EURO")]
    [InlineData("E1R")]
    public void PurchaseWithMissingOrMalformedCurrencyIsRejected(string currency)
    {
        var error = Rejected(ValidPurchase() with { Amount = new Money(10m, currency), LineItems = [] });

        Assert.Equal("amount.currency_code", error.Field);
    }

    [Fact]
    public void PurchaseInACurrencyWithoutARateIsRejected()
    {
        var error = Rejected(ValidPurchase() with { Amount = new Money(10m, "JPY"), LineItems = [] });

        Assert.Equal("amount.currency_code", error.Field);
        Assert.Equal("'JPY' is not accepted; accepted: EUR, GBP, USD", error.Message);
    }

    [Theory]
    [InlineData(TouchpointKind.Purchase)]
    [InlineData(TouchpointKind.Return)]
    public void NegativeAmountIsRejected(TouchpointKind kind)
    {
        var error = Rejected(ValidPurchase() with { Kind = kind, Amount = new Money(-0.01m, "EUR") });

        Assert.Equal("amount.amount", error.Field);
        Assert.Equal("must not be negative", error.Message);
    }

    [Fact]
    public void ImplausiblyLargeAmountIsRejected()
    {
        Assert.Equal("amount.amount", Rejected(ValidPurchase() with { Amount = new Money(1_000_000_000m, "EUR"), LineItems = [] }).Field);
        Accepted(ValidPurchase() with { Amount = new Money(999_999_999.99m, "EUR"), LineItems = [] });
    }

    [Fact]
    public void TooManyLineItemsAreRejected()
    {
        var item = new LineItem("SKU", "cat", 1, null);

        var error = Rejected(ValidPurchase() with { LineItems = Enumerable.Repeat(item, 101).ToList() });

        Assert.Equal("line_items", error.Field);
        Assert.Equal("at most 100 allowed, got 101", error.Message);
        Accepted(ValidPurchase() with { LineItems = Enumerable.Repeat(item, 100).ToList() });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void LineItemQuantityMustBePositive(int quantity)
    {
        var error = Rejected(ValidPurchase() with { LineItems = [new LineItem("SKU", "cat", quantity, null)] });

        Assert.Equal("line_items[0].quantity", error.Field);
    }

    [Fact]
    public void LineItemErrorNamesItsIndex()
    {
        var good = new LineItem("SKU", "cat", 1, null);

        var error = Rejected(ValidPurchase() with { LineItems = [good, good, good with { Quantity = 0 }] });

        Assert.Equal("line_items[2].quantity", error.Field);
    }

    [Fact]
    public void LineItemTextOverTheLimitIsRejected()
    {
        var tooLong = new string('x', 257);

        Assert.Equal("line_items[0].sku", Rejected(ValidPurchase() with { LineItems = [new LineItem(tooLong, "cat", 1, null)] }).Field);
        Assert.Equal("line_items[0].category", Rejected(ValidPurchase() with { LineItems = [new LineItem("SKU", tooLong, 1, null)] }).Field);
        Accepted(ValidPurchase() with { LineItems = [new LineItem(new string('x', 256), new string('x', 256), 1, null)] });
    }

    [Fact]
    public void LineItemUnitPriceMustBeWellFormed()
    {
        Assert.Equal(
            "line_items[0].unit_price.amount",
            Rejected(ValidPurchase() with { LineItems = [new LineItem("SKU", "cat", 1, new Money(-1m, "EUR"))] }).Field);
        Assert.Equal(
            "line_items[0].unit_price.currency_code",
            Rejected(ValidPurchase() with { LineItems = [new LineItem("SKU", "cat", 1, new Money(1m, "eur"))] }).Field);
    }

    [Fact]
    public void LineItemUnitPriceMustBeInTheTouchpointCurrency()
    {
        var error = Rejected(ValidPurchase() with { LineItems = [new LineItem("SKU", "cat", 1, new Money(1m, "USD"))] });

        Assert.Equal("line_items[0].unit_price.currency_code", error.Field);
        Assert.Equal("must match the touchpoint's currency EUR", error.Message);
    }

    [Fact]
    public void TooManyAttributesAreRejected()
    {
        var error = Rejected(ValidPurchase() with { Attributes = Attributes(33) });

        Assert.Equal("attributes", error.Field);
        Assert.Equal("at most 32 allowed, got 33", error.Message);
        Accepted(ValidPurchase() with { Attributes = Attributes(32) });
    }

    [Fact]
    public void AttributeKeyMustBeOneTo64CharactersWithoutControlCharacters()
    {
        Assert.Equal("attributes[]", Rejected(ValidPurchase() with { Attributes = Attribute("", "v") }).Field);
        Assert.Equal("attributes[a\u0002b]", Rejected(ValidPurchase() with { Attributes = Attribute("a\u0002b", "v") }).Field);
        Assert.Equal(
            $"attributes[{new string('k', 32)}…]",
            Rejected(ValidPurchase() with { Attributes = Attribute(new string('k', 65), "v") }).Field);
        Accepted(ValidPurchase() with { Attributes = Attribute(new string('k', 64), "v") });
    }

    [Fact]
    public void AttributeValueOver512CharactersIsRejected()
    {
        var error = Rejected(ValidPurchase() with { Attributes = Attribute("note", new string('v', 513)) });

        Assert.Equal("attributes[note]", error.Field);
        Accepted(ValidPurchase() with { Attributes = Attribute("note", new string('v', 512)) });
    }

    [Fact]
    public void SourceSystemOverTheLimitIsRejected()
    {
        Assert.Equal("source_system", Rejected(ValidPurchase() with { SourceSystem = new string('s', 257) }).Field);
    }

    [Fact]
    public void FirstProblemIsReported()
    {
        var error = Rejected(ValidPurchase() with { CustomerId = "", EventId = "", Channel = Channel.Unspecified });

        Assert.Equal("customer_id", error.Field);
    }

    [Fact]
    public void LimitsAreConfigurable()
    {
        var limits = new InputLimits { MaxLineItems = 1, MaxEventIdLength = 4 };

        Assert.Equal("event_id", Rejected(ValidPurchase() with { EventId = "12345" }, limits).Field);
        Assert.Equal("line_items", Rejected(ValidPurchase() with { EventId = "1234", LineItems = [.. ValidPurchase().LineItems, .. ValidPurchase().LineItems] }, limits).Field);
    }

    [Theory]
    [InlineData("sku\u0000\u001b[2J", "", "", "line_items[0].sku", "must not contain control characters")]
    [InlineData("   ", "", "", "line_items[0].sku", "must not be only white space")]
    [InlineData("SKU-1", "shoes\r\nInjected: 1", "", "line_items[0].category", "must not contain control characters")]
    [InlineData("SKU-1", "\t", "", "line_items[0].category", "must not contain control characters")]
    [InlineData("SKU-1", "\u00a0 ", "", "line_items[0].category", "must not be only white space")]
    [InlineData("SKU-1", "shoes", "till-1\u0007", "source_system", "must not contain control characters")]
    [InlineData("SKU-1", "shoes", " ", "source_system", "must not be only white space")]
    [InlineData("SKU-1", "shoes", "till\u0085", "source_system", "must not contain control characters")] // C1 next line
    public void LabelsHoldNoControlCharactersAndAreNotOnlyWhiteSpace(string sku, string category, string source, string field, string message)
    {
        var touchpoint = ValidPurchase() with { LineItems = [new LineItem(sku, category, 1, null)], SourceSystem = source };

        var error = Rejected(touchpoint);

        Assert.Equal((field, message), (error.Field, error.Message));
    }

    [Fact]
    public void LabelsMayBeEmptyOrHoldInnerSpaces()
    {
        Accepted(ValidPurchase() with { LineItems = [new LineItem("", "", 1, null)], SourceSystem = "" });
        Accepted(ValidPurchase() with { LineItems = [new LineItem("SKU 1", "home & garden", 1, null)], SourceSystem = "till 042" });
    }

    [Fact]
    public void AnAttributeKeyOfOnlyWhiteSpaceIsRefused()
    {
        var error = Rejected(ValidPurchase() with { Attributes = Attribute(" ", "x") });

        Assert.Equal(("attributes[ ]", "key must not be only white space"), (error.Field, error.Message));
    }

    [Theory]
    [InlineData("a\u0000b")]
    [InlineData("\u001b[2J")]
    [InlineData("bell\u0007")]
    [InlineData("form\u000cfeed")]
    [InlineData("\u009b31m")] // C1 control sequence introducer
    public void AnAttributeValueHoldsNoControlCharacterButLayout(string value)
    {
        var error = Rejected(ValidPurchase() with { Attributes = Attribute("note", value) });

        Assert.Equal(("attributes[note]", "value must not contain control characters other than tab, line feed and carriage return"), (error.Field, error.Message));
    }

    [Fact]
    public void AnAttributeValueMayHoldTabsAndLineBreaks()
    {
        Accepted(ValidPurchase() with { Attributes = Attribute("note", "line one\r\nline two\n\tindented") });
        Accepted(ValidPurchase() with { Attributes = Attribute("note", "   ") });
    }

    [Fact]
    public void ErrorCanBePlacedUnderAParentField()
    {
        var error = new ValidationError("occurred_at", "is required").Under("touchpoint");

        Assert.Equal("touchpoint.occurred_at", error.Field);
        Assert.Equal("touchpoint.occurred_at: is required", error.ToString());
    }

    private static Dictionary<string, string> Attributes(int count) =>
        Enumerable.Range(0, count).ToDictionary(i => $"k{i}", i => "v");

    private static Dictionary<string, string> Attribute(string key, string value) => new() { [key] = value };
}

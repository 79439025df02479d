using Customer360.Api.V1;
using Customer360.Cli.Import;

namespace Customer360.Cli.Tests;

public class JsonLinesTests
{
    [Fact]
    public void TouchpointIsReadFromProtoJson()
    {
        const string line = """{"eventId":"e-1","customerId":"C1","occurredAt":"2026-03-01T10:15:00Z","channel":"CHANNEL_WEB","kind":"TOUCHPOINT_KIND_PURCHASE","amount":{"amount":"12.50","currencyCode":"EUR"},"lineItems":[{"sku":"S","quantity":1}],"attributes":{"campaign":"spring"}}""";

        var parsed = JsonLines.Parse<Touchpoint>(line, 1);

        Assert.Null(parsed.Error);
        Assert.Equal(Channel.Web, parsed.Message!.Channel);
        Assert.Equal("12.50", parsed.Message.Amount.Amount);
        Assert.Equal("spring", parsed.Message.Attributes["campaign"]);
    }

    [Fact]
    public void OriginalSnakeCaseFieldNamesAreAcceptedToo()
    {
        var parsed = JsonLines.Parse<Touchpoint>("""{"event_id":"e-2","customer_id":"C1","source_system":"till-1"}""", 1);

        Assert.Null(parsed.Error);
        Assert.Equal("till-1", parsed.Message!.SourceSystem);
    }

    [Theory]
    [InlineData("""{"eventId":"e-1",""")]
    [InlineData("event_id,customer_id")]
    [InlineData("""{"eventId":"e-1","colour":"red"}""")]
    [InlineData("""{"channel":"CHANNEL_TELEPATHY"}""")]
    [InlineData("""{"occurredAt":"last week"}""")]
    public void UnreadableLineIsRejectedWithItsLineNumber(string line)
    {
        var parsed = JsonLines.Parse<Touchpoint>(line, 42);

        Assert.Null(parsed.Message);
        Assert.Equal(42, parsed.LineNumber);
        Assert.Contains("not a valid Touchpoint", parsed.Error);
    }

    [Fact]
    public void FormattedMessageParsesBack()
    {
        var request = new UpsertProfileRequest { CustomerId = "C1", GivenName = "Anna", Emails = new StringList { Values = { "a@example.com" } } };

        var line = JsonLines.Format(request);

        Assert.DoesNotContain('\n', line);
        Assert.Equal(request, JsonLines.Parse<UpsertProfileRequest>(line, 1).Message);
    }
}

using Customer360.Cli.Mapping;
using Grpc.Core;

namespace Customer360.Cli.Tests;

public class ProtoValuesTests
{
    [Theory]
    [InlineData("2026-03-01T10:15:00Z", "2026-03-01T10:15:00Z")]
    [InlineData("2026-03-01T12:15:00+02:00", "2026-03-01T10:15:00Z")]
    [InlineData("2026-03-01 10:15Z", "2026-03-01T10:15:00Z")]
    [InlineData("2026-03-01T10:15:00.250Z", "2026-03-01T10:15:00.25Z")]
    public void TimestampsWithAnOffsetAreRead(string text, string expected)
    {
        Assert.Equal(expected, ProtoValues.FormatIso(ProtoValues.ParseTimestamp(text)));
    }

    [Theory]
    [InlineData("2026-03-01T10:15:00")]
    [InlineData("2026-03-01")]
    [InlineData("01/03/2026 10:15Z")]
    [InlineData("yesterday")]
    [InlineData("2026-13-01T10:15:00Z")]
    public void TimestampsWithoutOffsetOrInOtherShapesAreRefused(string text)
    {
        Assert.Throws<FormatException>(() => ProtoValues.ParseTimestamp(text));
    }

    [Fact]
    public void MoneyKeepsTheAmountTextAndDefaultsToEuro()
    {
        var money = ProtoValues.Money(" 12.50 ", null);
        Assert.Equal("12.50", money.Amount);
        Assert.Equal("EUR", money.CurrencyCode);
        Assert.Equal("USD", ProtoValues.Money("3", "usd").CurrencyCode);
    }

    [Theory]
    [InlineData("012.50", "12.50")]
    [InlineData("0010", "10")]
    [InlineData("000", "0")]
    [InlineData("00.5", "0.5")]
    [InlineData("0.50", "0.50")]
    public void MoneyDropsLeadingZerosTheServerWouldRefuse(string typed, string sent)
    {
        Assert.Equal(sent, ProtoValues.Money(typed, "EUR").Amount);
    }

    [Theory]
    [InlineData("12,50")]
    [InlineData("1e3")]
    [InlineData("-5")]
    [InlineData(".5")]
    [InlineData("abc")]
    public void AmountsThatAreNotPlainDecimalsAreRefused(string amount)
    {
        Assert.Throws<FormatException>(() => ProtoValues.Money(amount, "EUR"));
    }

    [Fact]
    public void KeyValueSplitsAtTheFirstEquals()
    {
        var pair = ProtoValues.ParseKeyValue("campaign=a=b");
        Assert.Equal("campaign", pair.Key);
        Assert.Equal("a=b", pair.Value);
        Assert.Throws<FormatException>(() => ProtoValues.ParseKeyValue("=x"));
    }

    [Fact]
    public void StatusCodesAreNamedAsInGrpc()
    {
        Assert.Equal("INVALID_ARGUMENT", ProtoValues.FormatStatusCode(StatusCode.InvalidArgument));
        Assert.Equal("NOT_FOUND", ProtoValues.FormatStatusCode(StatusCode.NotFound));
        Assert.Equal("UNAVAILABLE", ProtoValues.FormatStatusCode(StatusCode.Unavailable));
    }
}

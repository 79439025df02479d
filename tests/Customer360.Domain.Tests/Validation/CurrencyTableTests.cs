using Customer360.Domain.Validation;

namespace Customer360.Domain.Tests.Validation;

public sealed class CurrencyTableTests
{
    [Fact]
    public void ReportingCurrencyConvertsOneToOne()
    {
        var table = new CurrencyTable("EUR");

        Assert.True(table.TryConvert(12.34m, "EUR", out var converted));
        Assert.Equal(12.34m, converted);
        Assert.Equal(["EUR"], table.Currencies);
    }

    [Fact]
    public void RateGivenForTheReportingCurrencyIsIgnored()
    {
        var table = new CurrencyTable("USD", new Dictionary<string, decimal> { ["USD"] = 2m });

        Assert.True(table.TryConvert(10m, "USD", out var converted));
        Assert.Equal(10m, converted);
    }

    [Fact]
    public void CurrencyWithoutARateIsNotConverted()
    {
        var table = new CurrencyTable("USD", new Dictionary<string, decimal> { ["EUR"] = 1.1m });

        Assert.False(table.TryConvert(10m, "GBP", out _));
        Assert.False(table.TryConvert(10m, "eur", out _));
    }

    [Theory]
    [InlineData("usd")]
    [InlineData("")]
    [InlineData("US")]
    public void MalformedReportingCurrencyIsRefused(string code)
    {
        Assert.Throws<ArgumentException>(() => new CurrencyTable(code));
    }

    [Theory]
    [InlineData("EUR", 0)]
    [InlineData("EUR", -1.1)]
    [InlineData("eur", 1.1)]
    public void BadRateIsRefused(string code, decimal rate)
    {
        Assert.Throws<ArgumentException>(() => new CurrencyTable("USD", new Dictionary<string, decimal> { [code] = rate }));
    }

    [Theory]
    [InlineData("USD", true)]
    [InlineData("XAU", true)]
    [InlineData("usd", false)]
    [InlineData("US", false)]
    [InlineData("USDT", false)]
    [InlineData("U$D", false)]
    [InlineData("ÜSD", false)]
    [InlineData(null, false)]
    public void CurrencyCodeIsThreeUpperCaseAsciiLetters(string? code, bool expected)
    {
        Assert.Equal(expected, CurrencyTable.IsCurrencyCode(code));
    }
}

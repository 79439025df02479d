using Customer360.Domain.Validation;

namespace Customer360.Domain.Tests.Validation;

public sealed class AmountTextTests
{
    [Theory]
    [InlineData("0", "0")]
    [InlineData("3", "3")]
    [InlineData("12.50", "12.50")]
    [InlineData("0.5", "0.5")]
    [InlineData("0.0001", "0.0001")]
    [InlineData("999999999.9999", "999999999.9999")]
    public void PlainDecimalsAreAmounts(string text, string expected)
    {
        Assert.True(AmountText.TryParse(text, out var amount, out var problem), problem);
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), amount);
        Assert.Equal(expected, amount.ToString(System.Globalization.CultureInfo.InvariantCulture)); // scale kept
    }

    [Theory]
    [InlineData("+10")]
    [InlineData("-0")]
    [InlineData("-0.00")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("0010")]
    [InlineData("00.5")]
    [InlineData("1e3")]
    [InlineData("1,5")]
    [InlineData(" 7")]
    [InlineData("7 ")]
    [InlineData("1.2.3")]
    [InlineData("١٢")] // Arabic-Indic digits: digits to char.IsDigit, not to the API
    [InlineData("ten")]
    public void OtherSpellingsAreRefusedAsNotAnAmount(string text)
    {
        Assert.False(AmountText.TryParse(text, out _, out var problem));
        Assert.Equal($"'{text}' {AmountText.Shape}", problem);
    }

    [Theory]
    [InlineData("", "is required")]
    [InlineData("-1.00", "must not be negative")]
    [InlineData("-0.01", "must not be negative")]
    [InlineData("1.23456", "must have at most 4 fractional digits")]
    [InlineData("123456789012345678901234567890", "'123456789012345678901234567890' is too large to be an amount")]
    public void RefusalsSayWhatIsWrong(string text, string expected)
    {
        Assert.False(AmountText.TryParse(text, out _, out var problem));
        Assert.Equal(expected, problem);
    }
}

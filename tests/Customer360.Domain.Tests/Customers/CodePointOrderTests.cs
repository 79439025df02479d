using System.Text;
using Customer360.Domain.Customers;

namespace Customer360.Domain.Tests.Customers;

/// <summary>Event ids compare as the databases sort them: by code point, the order of their UTF-8 bytes.</summary>
public sealed class CodePointOrderTests
{
    [Fact]
    public void StringsCompareAsTheirUtf8Bytes()
    {
        string[] samples =
        [
            "", "a", "ab", "b", "z", "\u00E9", "\u4E2D", "\uD7FF", "\uE000", "\uFF21", "\uFFFF",
            "\U00010000", "\U0001F600", "\U0010FFFF", "a\U0001F600", "a\uFF21", "\uFF21\U0001F600",
            "\U0001F600a", "\U0001F600\uFF21", "\U0001F601",
        ];

        foreach (var a in samples)
        {
            foreach (var b in samples)
            {
                var expected = Math.Sign(Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b)));
                Assert.True(expected == Math.Sign(CodePointOrder.Compare(a, b)), $"'{a}' against '{b}': expected {expected}");
            }
        }
    }

    [Fact]
    public void OrdinalComparisonWouldPutCharactersAboveTheBasicPlaneFirst()
    {
        // What the order mends: U+1F600 is greater than U+FF21, but its first code unit is not.
        Assert.True(string.CompareOrdinal("\U0001F600", "\uFF21") < 0);
        Assert.True(CodePointOrder.Compare("\U0001F600", "\uFF21") > 0);
    }
}

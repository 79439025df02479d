using Customer360.Domain.Validation;

namespace Customer360.Domain.Tests.Validation;

/// <summary>The id length limits a server may be configured with stay within what the stores can index.</summary>
public sealed class IdLengthLimitTests
{
    [Fact]
    public void TheDefaultLimitsAreUsable() => Assert.Null(new InputLimits().Problem());

    [Theory]
    [InlineData(InputLimits.LongestIdLimit, InputLimits.LongestIdLimit, null)]
    [InlineData(InputLimits.LongestIdLimit + 1, 128, "MaxCustomerIdLength")]
    [InlineData(128, InputLimits.LongestIdLimit + 1, "MaxEventIdLength")]
    [InlineData(0, 128, "MaxCustomerIdLength")]
    [InlineData(128, 0, "MaxEventIdLength")]
    public void IdLimitsBeyondWhatTheStoresIndexAreRefusedByName(int customerIdLength, int eventIdLength, string? refused)
    {
        var problem = new InputLimits { MaxCustomerIdLength = customerIdLength, MaxEventIdLength = eventIdLength }.Problem();

        if (refused is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.StartsWith(refused, problem);
        }
    }
}

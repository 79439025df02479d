using Customer360.Domain.Validation;

namespace Customer360.Domain.Tests.Validation;

/// <summary>The input limits a server may be configured with: ids within what the stores can index, and a usable event-time floor.</summary>
public sealed class InputLimitsTests
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

    [Fact]
    public void AnEventTimeFloorInTheFutureIsRefused()
    {
        Assert.Null(new InputLimits { EventTimeFloor = new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero) }.Problem());
        Assert.StartsWith("EventTimeFloor", new InputLimits { EventTimeFloor = DateTimeOffset.UtcNow.AddDays(1) }.Problem());
    }
}

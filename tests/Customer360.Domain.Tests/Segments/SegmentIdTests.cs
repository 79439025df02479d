using Customer360.Domain.Customers;
using Customer360.Domain.Segments;
using Customer360.Domain.Values;

namespace Customer360.Domain.Tests.Segments;

public sealed class SegmentIdTests
{
    [Theory]
    [InlineData(ValueTier.Platinum, "tier:platinum")]
    [InlineData(ValueTier.Gold, "tier:gold")]
    [InlineData(ValueTier.Silver, "tier:silver")]
    [InlineData(ValueTier.Bronze, "tier:bronze")]
    public void TierSegmentIsNamedAfterTheTier(ValueTier tier, string expected)
    {
        Assert.Equal(expected, SegmentId.ForTier(tier));
    }

    [Theory]
    [InlineData(Channel.PointOfSale, "channel:point_of_sale")]
    [InlineData(Channel.CallCentre, "channel:call_centre")]
    [InlineData(Channel.Web, "channel:web")]
    [InlineData(Channel.MobileApp, "channel:mobile_app")]
    [InlineData(Channel.Email, "channel:email")]
    [InlineData(Channel.Support, "channel:support")]
    [InlineData(Channel.Other, "channel:other")]
    [InlineData(Channel.Unspecified, "channel:none")]
    public void ChannelSegmentIsNamedAfterTheChannel(Channel channel, string expected)
    {
        Assert.Equal(expected, SegmentId.ForChannel(channel));
    }

    [Fact]
    public void AllListsEverySegmentInAStableOrder()
    {
        Assert.Equal(
            [
                "tier:platinum", "tier:gold", "tier:silver", "tier:bronze",
                "channel:point_of_sale", "channel:call_centre", "channel:web", "channel:mobile_app",
                "channel:email", "channel:support", "channel:other", "channel:none",
            ],
            SegmentId.All);
    }

    [Fact]
    public void EverySegmentBelongsToAKnownDimension()
    {
        Assert.Equal(["tier", "channel"], SegmentId.Dimensions);
        foreach (var segment in SegmentId.All)
        {
            Assert.Contains(SegmentId.Split(segment).Dimension, SegmentId.Dimensions);
        }
    }

    [Theory]
    [InlineData("tier:gold", true)]
    [InlineData("channel:none", true)]
    [InlineData("tier:Gold", false)]
    [InlineData("tier:unspecified", false)]
    [InlineData("channel:", false)]
    [InlineData("gold", false)]
    [InlineData("", false)]
    public void OnlyListedSegmentsAreKnown(string segmentId, bool expected)
    {
        Assert.Equal(expected, SegmentId.IsKnown(segmentId));
    }

    [Theory]
    [InlineData("tier:gold", "tier", "gold")]
    [InlineData("channel:point_of_sale", "channel", "point_of_sale")]
    [InlineData("a:b:c", "a", "b:c")]
    [InlineData("tier", "tier", "")]
    [InlineData(":x", "", "x")]
    public void SplitSeparatesDimensionAndValueAtTheFirstColon(string segmentId, string dimension, string value)
    {
        Assert.Equal((dimension, value), SegmentId.Split(segmentId));
    }
}

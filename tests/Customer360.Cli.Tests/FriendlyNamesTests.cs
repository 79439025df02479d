using Customer360.Api.V1;
using Customer360.Cli.Mapping;

namespace Customer360.Cli.Tests;

public class FriendlyNamesTests
{
    [Theory]
    [InlineData("point_of_sale", Channel.PointOfSale)]
    [InlineData("call_centre", Channel.CallCentre)]
    [InlineData("web", Channel.Web)]
    [InlineData("mobile_app", Channel.MobileApp)]
    [InlineData("email", Channel.Email)]
    [InlineData("support", Channel.Support)]
    [InlineData("other", Channel.Other)]
    [InlineData("Point-Of-Sale", Channel.PointOfSale)]
    [InlineData(" WEB ", Channel.Web)]
    [InlineData("CHANNEL_MOBILE_APP", Channel.MobileApp)]
    public void ChannelNamesAreReadInFriendlyAndProtoForm(string text, Channel expected)
    {
        Assert.True(FriendlyNames.Channels.TryParse(text, out var channel));
        Assert.Equal(expected, channel);
    }

    [Theory]
    [InlineData("purchase", TouchpointKind.Purchase)]
    [InlineData("return", TouchpointKind.Return)]
    [InlineData("call", TouchpointKind.Call)]
    [InlineData("visit", TouchpointKind.Visit)]
    [InlineData("email_open", TouchpointKind.EmailOpen)]
    [InlineData("email_click", TouchpointKind.EmailClick)]
    [InlineData("support_ticket_opened", TouchpointKind.SupportTicketOpened)]
    [InlineData("support_ticket_resolved", TouchpointKind.SupportTicketResolved)]
    [InlineData("complaint", TouchpointKind.Complaint)]
    [InlineData("other", TouchpointKind.Other)]
    [InlineData("TOUCHPOINT_KIND_EMAIL_CLICK", TouchpointKind.EmailClick)]
    public void KindNamesAreReadInFriendlyAndProtoForm(string text, TouchpointKind expected)
    {
        Assert.True(FriendlyNames.Kinds.TryParse(text, out var kind));
        Assert.Equal(expected, kind);
    }

    [Theory]
    [InlineData("unspecified")]
    [InlineData("CHANNEL_UNSPECIFIED")]
    [InlineData("pos")]
    [InlineData("1")]
    [InlineData("")]
    [InlineData(null)]
    public void UnknownOrUnspecifiedChannelIsRefused(string? text)
    {
        Assert.False(FriendlyNames.Channels.TryParse(text, out _));
    }

    [Fact]
    public void ChoicesListEveryValueButUnspecified()
    {
        Assert.Equal("point_of_sale|call_centre|web|mobile_app|email|support|other", FriendlyNames.Channels.Choices);
        Assert.Equal(
            "purchase|return|call|visit|email_open|email_click|support_ticket_opened|support_ticket_resolved|complaint|other",
            FriendlyNames.Kinds.Choices);
    }

    [Fact]
    public void EveryValueFormatsToANameThatParsesBack()
    {
        foreach (var kind in Enum.GetValues<TouchpointKind>().Where(k => k != TouchpointKind.Unspecified))
        {
            Assert.Equal(kind, FriendlyNames.Kinds.Parse(FriendlyNames.Kinds.Format(kind), "kind"));
        }

        Assert.Equal("gold", FriendlyNames.Tiers.Format(ValueTier.Gold));
        Assert.Equal("duplicate", FriendlyNames.AckStatuses.Format(AckStatus.Duplicate));
    }

    [Fact]
    public void ParseFailureNamesTheAcceptedValues()
    {
        var error = Assert.Throws<FormatException>(() => FriendlyNames.Channels.Parse("till", "channel"));
        Assert.Contains("point_of_sale|call_centre", error.Message);
    }
}

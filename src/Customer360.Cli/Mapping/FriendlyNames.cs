using Customer360.Api.V1;

namespace Customer360.Cli.Mapping;

/// <summary>The friendly names of every enum the command line reads or prints.</summary>
internal static class FriendlyNames
{
    public static FriendlyEnum<Channel> Channels { get; } = new("CHANNEL_");

    public static FriendlyEnum<TouchpointKind> Kinds { get; } = new("TOUCHPOINT_KIND_");

    public static FriendlyEnum<ValueTier> Tiers { get; } = new("VALUE_TIER_");

    public static FriendlyEnum<MarketingChannel> MarketingChannels { get; } = new("MARKETING_CHANNEL_");

    public static FriendlyEnum<AckStatus> AckStatuses { get; } = new("ACK_STATUS_");
}

using System.Collections.Frozen;
using Customer360.Domain.Customers;
using Customer360.Domain.Values;

namespace Customer360.Domain.Segments;

/// <summary>
/// A segment is one value of one dimension, written "dimension:value", e.g. "tier:gold" or
/// "channel:web". Every customer is in exactly one segment per dimension.
/// </summary>
public static class SegmentId
{
    public const string TierDimension = "tier";
    public const string ChannelDimension = "channel";

    /// <summary>The channel segment of customers with no touchpoint yet.</summary>
    public const string NoChannel = "none";

    public static readonly IReadOnlyList<string> Dimensions = [TierDimension, ChannelDimension];

    // Built once: a customer names its segments on every change.
    private static readonly FrozenDictionary<ValueTier, string> TierSegments =
        Enum.GetValues<ValueTier>().ToFrozenDictionary(t => t, t => $"{TierDimension}:{TierName(t)}");

    private static readonly FrozenDictionary<Channel, string> ChannelSegments =
        Enum.GetValues<Channel>().ToFrozenDictionary(c => c, c => $"{ChannelDimension}:{ChannelName(c)}");

    public static string ForTier(ValueTier tier) =>
        TierSegments.TryGetValue(tier, out var id) ? id : $"{TierDimension}:{TierName(tier)}";

    public static string ForChannel(Channel channel) =>
        ChannelSegments.TryGetValue(channel, out var id) ? id : $"{ChannelDimension}:{ChannelName(channel)}";

    /// <summary>Every segment that can exist, in a stable order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        ForTier(ValueTier.Platinum), ForTier(ValueTier.Gold), ForTier(ValueTier.Silver), ForTier(ValueTier.Bronze),
        .. Enum.GetValues<Channel>().Where(c => c != Channel.Unspecified).Select(ForChannel),
        ForChannel(Channel.Unspecified),
    ];

    public static bool IsKnown(string segmentId) => All.Contains(segmentId, StringComparer.Ordinal);

    public static (string Dimension, string Value) Split(string segmentId)
    {
        var colon = segmentId.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? (segmentId, "") : (segmentId[..colon], segmentId[(colon + 1)..]);
    }

    public static string TierName(ValueTier tier) => tier switch
    {
        ValueTier.Platinum => "platinum",
        ValueTier.Gold => "gold",
        ValueTier.Silver => "silver",
        _ => "bronze",
    };

    public static string ChannelName(Channel channel) => channel switch
    {
        Channel.PointOfSale => "point_of_sale",
        Channel.CallCentre => "call_centre",
        Channel.Web => "web",
        Channel.MobileApp => "mobile_app",
        Channel.Email => "email",
        Channel.Support => "support",
        Channel.Other => "other",
        _ => NoChannel,
    };
}

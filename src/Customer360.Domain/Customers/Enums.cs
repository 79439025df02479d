namespace Customer360.Domain.Customers;

/// <summary>Where a touchpoint happened. Values match the public API's enum numbers.</summary>
public enum Channel
{
    Unspecified = 0,
    PointOfSale = 1,
    CallCentre = 2,
    Web = 3,
    MobileApp = 4,
    Email = 5,
    Support = 6,
    Other = 7,
}

/// <summary>What happened at a touchpoint. Values match the public API's enum numbers.</summary>
public enum TouchpointKind
{
    Unspecified = 0,
    Purchase = 1,
    Return = 2,
    Call = 3,
    Visit = 4,
    EmailOpen = 5,
    EmailClick = 6,
    SupportTicketOpened = 7,
    SupportTicketResolved = 8,
    Complaint = 9,
    Other = 10,
}

/// <summary>Channels a customer can consent to be marketed through.</summary>
public enum MarketingChannel
{
    Unspecified = 0,
    Email = 1,
    Sms = 2,
    Phone = 3,
    Post = 4,
    Push = 5,
}

public static class EnumRanges
{
    public const int ChannelCount = 8;
    public const int KindCount = 11;

    public static bool IsDefinedAndSpecified(Channel c) => c > Channel.Unspecified && (int)c < ChannelCount;

    public static bool IsDefinedAndSpecified(TouchpointKind k) => k > TouchpointKind.Unspecified && (int)k < KindCount;

    public static bool IsDefinedAndSpecified(MarketingChannel m) => m > MarketingChannel.Unspecified && m <= MarketingChannel.Push;

    public static bool CarriesAmount(this TouchpointKind kind) => kind is TouchpointKind.Purchase or TouchpointKind.Return;
}

namespace Customer360.Domain.Validation;

/// <summary>
/// Size limits on what clients may send. They keep one customer's state bounded and make a
/// runaway client fail loudly instead of filling memory.
/// </summary>
public sealed record InputLimits
{
    public int MaxCustomerIdLength { get; init; } = 128;

    public int MaxEventIdLength { get; init; } = 128;

    public int MaxLineItems { get; init; } = 100;

    /// <summary>Maximum attributes on one touchpoint, or on one profile after a patch.</summary>
    public int MaxAttributes { get; init; } = 32;

    public int MaxAttributeKeyLength { get; init; } = 64;

    public int MaxAttributeValueLength { get; init; } = 512;

    /// <summary>Maximum length of names, SKUs, categories, source ids and address parts.</summary>
    public int MaxTextLength { get; init; } = 256;

    /// <summary>Maximum entries in each identifier list (emails, phone numbers, loyalty cards) and address lines.</summary>
    public int MaxIdentifiers { get; init; } = 10;

    /// <summary>
    /// Largest touchpoint accepted, as encoded on the wire. Each field's own limit allows far more
    /// together (100 line items of long text, 32 long attributes: about 200 KB), and a customer
    /// keeps its recent touchpoints in memory and returns them in every view: 50 at this limit
    /// are 800 KB, well inside the 4 MB a gRPC client reads by default.
    /// </summary>
    public int MaxTouchpointBytes { get; init; } = 16 * 1024;

    /// <summary>How far in the future an event time may lie, to allow for clock skew between systems.</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Event times and consent dates must lie after this instant; it and anything earlier are
    /// refused. The default is the Unix epoch, the time a till or export with an unset clock or
    /// an empty date column reports (as 1900-01-01 and 0001-01-01 are, further back): taken as
    /// real, a few such purchases make their customers decades old and skew the lifetime-value
    /// fit for everyone. Real histories start long after it: the CDNOW log the README imports
    /// is from 1997. An archive reaching further back can lower it (<c>Limits:EventTimeFloor</c>).
    /// </summary>
    public DateTimeOffset EventTimeFloor { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary>Amounts at or above this are refused as implausible (and to keep sums far from overflow).</summary>
    public decimal MaxAmount { get; init; } = 1_000_000_000m;

    /// <summary>
    /// The longest customer or event id the stores can take. PostgreSQL refuses a B-tree index
    /// entry larger than about a third of a page (2,704 bytes), and the ids are indexed as UTF-8,
    /// up to 4 bytes a character: 512 characters leave room for the customer key beside an event
    /// id, and for the service id beside a customer id. A longer limit would let one id fail the
    /// whole group commit it lands in, with every other customer's touchpoints in it.
    /// </summary>
    public const int LongestIdLimit = 512;

    /// <summary>Null when the limits are usable, otherwise what is wrong.</summary>
    public string? Problem() =>
        MaxCustomerIdLength is < 1 or > LongestIdLimit ? $"MaxCustomerIdLength must be 1..{LongestIdLimit}"
        : MaxEventIdLength is < 1 or > LongestIdLimit ? $"MaxEventIdLength must be 1..{LongestIdLimit}"
        : MaxLineItems < 1 ? "MaxLineItems must be at least 1"
        : MaxAttributes < 0 ? "MaxAttributes must not be negative"
        : MaxAttributeKeyLength < 1 ? "MaxAttributeKeyLength must be at least 1"
        : MaxAttributeValueLength < 1 ? "MaxAttributeValueLength must be at least 1"
        : MaxTextLength < 1 ? "MaxTextLength must be at least 1"
        : MaxIdentifiers < 0 ? "MaxIdentifiers must not be negative"
        : MaxTouchpointBytes < 1 ? "MaxTouchpointBytes must be at least 1"
        : MaxFutureSkew < TimeSpan.Zero ? "MaxFutureSkew must not be negative"
        // Checked against the clock as the server starts: a floor in the future refuses everything.
        : EventTimeFloor >= DateTimeOffset.UtcNow ? "EventTimeFloor must lie in the past"
        : MaxAmount <= 0 ? "MaxAmount must be positive"
        : null;
}

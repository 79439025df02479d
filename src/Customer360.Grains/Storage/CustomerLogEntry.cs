using Customer360.Domain.Values;
using Customer360.Domain.Customers;

namespace Customer360.Grains.Storage;

/// <summary>What a log entry records: a touchpoint or a profile change.</summary>
public enum LogEntryKind : short
{
    Touchpoint = 1,
    Profile = 2,
}

/// <summary>
/// One change to one customer, as kept in the durable customer log. <see cref="Sequence"/>
/// numbers a customer's entries 1, 2, 3… without gaps and equals the customer's version after
/// the change, so a snapshot at version v is brought up to date by the entries after v.
/// </summary>
public sealed record CustomerLogEntry
{
    public required string CustomerId { get; init; }

    public required long Sequence { get; init; }

    /// <summary>When the engine accepted the change; replay applies it "as of" this time.</summary>
    public required DateTimeOffset RecordedAt { get; init; }

    public Touchpoint? Touchpoint { get; init; }

    public ProfilePatch? Profile { get; init; }

    /// <summary><see cref="TouchpointFingerprint"/> of the touchpoint; 0 for a profile change.</summary>
    public long Fingerprint { get; init; }

    public LogEntryKind Kind => Touchpoint is null ? LogEntryKind.Profile : LogEntryKind.Touchpoint;

    /// <summary>The touchpoint's kind, stored in its own column; null for a profile change.</summary>
    public short? TouchpointKind => Touchpoint is { } t ? (short)t.Kind : null;

    /// <summary>The touchpoint's amount in the reporting currency, stored in its own column; null if it has none.</summary>
    public decimal? ReportingAmount => Touchpoint?.ReportingAmount;

    /// <summary>
    /// The change as stored in the log (<see cref="LogCodec"/>). Encoded where the entry is made,
    /// by the customer, so that the silo's single log writer only writes.
    /// </summary>
    public required string Payload { get; init; }

    public static CustomerLogEntry For(Touchpoint touchpoint, long sequence, DateTimeOffset recordedAt) => new()
    {
        CustomerId = touchpoint.CustomerId,
        Sequence = sequence,
        RecordedAt = recordedAt,
        Touchpoint = touchpoint,
        Fingerprint = TouchpointFingerprint.Of(touchpoint),
        Payload = LogCodec.Encode(touchpoint),
    };

    public static CustomerLogEntry For(string customerId, ProfilePatch patch, long sequence, DateTimeOffset recordedAt) => new()
    {
        CustomerId = customerId,
        Sequence = sequence,
        RecordedAt = recordedAt,
        Profile = patch,
        Payload = LogCodec.Encode(patch),
    };
}

/// <summary>A touchpoint found in the log by its event id.</summary>
public sealed record LoggedEvent(long Sequence, long Fingerprint);

/// <summary>
/// A customer's latest snapshot: the serialized customer at <see cref="Version"/>, with its value
/// summary at the same version (null in snapshots written before summaries were kept).
/// </summary>
public sealed record CustomerSnapshot(string CustomerId, long Version, byte[] Payload, CustomerValueSummary? Summary = null);

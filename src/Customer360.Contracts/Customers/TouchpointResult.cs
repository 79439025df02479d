namespace Customer360.Contracts.Customers;

/// <summary>Whether a touchpoint was applied now, had been applied before, or clashes with one that was.</summary>
[GenerateSerializer, Alias("c360.TouchpointStatus")]
public enum TouchpointStatus
{
    Accepted = 1,
    Duplicate = 2,

    /// <summary>The event id was recorded before with different content; nothing changed.</summary>
    Conflict = 3,

    /// <summary>
    /// The customer was erased after the touchpoint's event time: it belongs to the erased
    /// history (a till's late retry, an old file imported again) and is not recorded.
    /// </summary>
    Erased = 4,
}

/// <summary>The outcome of recording one touchpoint.</summary>
[GenerateSerializer, Alias("c360.TouchpointResult"), Immutable]
public sealed record TouchpointResult(
    [property: Id(0)] string EventId,
    [property: Id(1)] TouchpointStatus Status,
    [property: Id(2)] long CustomerVersion)
{
    /// <summary>Why a <see cref="TouchpointStatus.Conflict"/> or <see cref="TouchpointStatus.Erased"/> was refused.</summary>
    [Id(3)] public string? Reason { get; init; }
}

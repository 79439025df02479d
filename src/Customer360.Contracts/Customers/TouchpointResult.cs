namespace Customer360.Contracts.Customers;

/// <summary>Whether a touchpoint was applied now or had been applied before.</summary>
[GenerateSerializer, Alias("c360.TouchpointStatus")]
public enum TouchpointStatus
{
    Accepted = 1,
    Duplicate = 2,
}

/// <summary>The outcome of recording one touchpoint.</summary>
[GenerateSerializer, Alias("c360.TouchpointResult"), Immutable]
public sealed record TouchpointResult(
    [property: Id(0)] string EventId,
    [property: Id(1)] TouchpointStatus Status,
    [property: Id(2)] long CustomerVersion);

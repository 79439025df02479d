namespace Customer360.Contracts.Customers;

/// <summary>
/// The outcome of erasing a customer: when it was erased, how many log entries (touchpoints and
/// profile changes) were removed, and whether it had been erased already, in which case nothing
/// was removed and the time is that of the original erasure.
/// </summary>
[GenerateSerializer, Alias("c360.CustomerErasureResult"), Immutable]
public sealed record CustomerErasureResult(
    [property: Id(0)] DateTimeOffset ErasedAt,
    [property: Id(1)] long EntriesRemoved,
    [property: Id(2)] bool AlreadyErased);

/// <summary>
/// The watched customer was erased: what the watcher had seen is gone, and the watch ends. A
/// customer that comes back after its erasure is a new history, to be watched anew.
/// </summary>
[GenerateSerializer, Alias("c360.CustomerErasedException")]
public sealed class CustomerErasedException : Exception
{
    public CustomerErasedException(string customerId, DateTimeOffset erasedAt)
        : base(Describe(customerId, erasedAt))
    {
        CustomerId = customerId;
        ErasedAt = erasedAt;
    }

    [Id(0)] public string CustomerId { get; private set; }

    [Id(1)] public DateTimeOffset ErasedAt { get; private set; }

    /// <summary>What a read or a watch of an erased customer is told.</summary>
    public static string Describe(string customerId, DateTimeOffset erasedAt) =>
        $"customer '{customerId}' was erased at {erasedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffffffZ}";
}

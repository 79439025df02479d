namespace Customer360.Storage;

/// <summary>How each silo batches log appends into transactions ("Customer360:Storage:GroupCommit").</summary>
public sealed class GroupCommitOptions
{
    /// <summary>Most log entries committed in one transaction.</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>
    /// How long a commit may wait for more entries once it has one. Zero (the default) commits
    /// at once: whatever queued during the previous commit forms the next batch, which batches
    /// well under load without delaying a lone write.
    /// </summary>
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Transactions a silo may have committing at once (PostgreSQL; SQLite always commits one at
    /// a time). One PostgreSQL connection works on one core: with a single commit in flight the
    /// log's write rate is bounded by one backend, and the engine waits on it while the machine
    /// has cores to spare. Batches in flight never share a customer's pending entry, because a
    /// customer waits for its append before the next.
    /// </summary>
    public int MaxConcurrentCommits { get; set; } = 2;

    public string? Problem() =>
        MaxBatchSize is < 1 or > 100_000 ? "MaxBatchSize must be 1..100000"
        : MaxConcurrentCommits is < 1 or > 64 ? "MaxConcurrentCommits must be 1..64"
        : MaxBatchWait < TimeSpan.Zero || MaxBatchWait > TimeSpan.FromSeconds(1) ? "MaxBatchWait must be 0..1s"
        : null;
}

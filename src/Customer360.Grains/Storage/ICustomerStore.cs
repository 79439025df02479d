using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using Customer360.Domain.Values;

namespace Customer360.Grains.Storage;

/// <summary>
/// The durable home of customers: the customer log (every touchpoint and profile change, the
/// source of truth), customer snapshots (a cache of the log, written now and then), and named
/// checkpoints. Implemented over SQLite, PostgreSQL and, for tests, memory.
/// </summary>
public interface ICustomerStore
{
    /// <summary>
    /// Appends <paramref name="entry"/> and completes once it is committed. Returns false, and
    /// stores nothing, when the customer already has an entry with this sequence number or a
    /// touchpoint with this event id, or when the sequence is of a history since erased. Throws
    /// when the outcome is unknown (for example the database could not be reached): the entry may
    /// or may not be stored.
    /// </summary>
    Task<bool> AppendAsync(CustomerLogEntry entry);

    /// <summary>
    /// Queues a snapshot to be written with a later commit; an older version never replaces a
    /// newer one. One of the same version replaces the stored one only to add a value summary
    /// the stored one lacks.
    /// </summary>
    void SaveSnapshot(CustomerSnapshot snapshot);

    Task<CustomerSnapshot?> ReadSnapshotAsync(string customerId);

    /// <summary>The customer's entries with a sequence above <paramref name="afterSequence"/>, in sequence order.</summary>
    Task<IReadOnlyList<CustomerLogEntry>> ReadEntriesAsync(string customerId, long afterSequence);

    /// <summary>
    /// What an activation needs: the customer's latest snapshot, if any, and the entries after
    /// it in sequence order. A store over a network answers in one round trip.
    /// </summary>
    async Task<StoredCustomer> ReadCustomerAsync(string customerId)
    {
        var snapshot = await ReadSnapshotAsync(customerId);
        var entries = await ReadEntriesAsync(customerId, snapshot?.Version ?? 0);
        return new StoredCustomer(snapshot, entries, await ReadTombstoneAsync(customerId));
    }

    /// <summary>The customer's suppression record if it was ever erased; null otherwise (and for a customer never seen).</summary>
    Task<CustomerTombstone?> ReadTombstoneAsync(string customerId);

    /// <summary>
    /// Erases the customer, all or nothing, in one transaction: every log entry (touchpoints and
    /// profile changes) and its snapshot are removed, and the customer's row is kept as a
    /// suppression record (<see cref="CustomerTombstone"/>) with <paramref name="erasedAt"/> and
    /// the version the erasure takes: one above every version the customer had, so that a new
    /// history for the id goes on above it. The erased history's sequences, up to and including
    /// the erasure's version, stay taken: an append of one (from an activation that had not heard
    /// of the erasure) is refused like any other taken sequence. A customer erased already, with
    /// nothing stored since, is left as it is and reported with its original erasure. Null for a
    /// customer never seen.
    /// Appends and snapshots this store was still writing when called are committed first, so
    /// they are erased too; a snapshot at or below the erasure's version is never stored after it.
    /// Throws when the outcome is unknown: erasing again is safe.
    /// </summary>
    Task<CustomerErasure?> EraseCustomerAsync(string customerId, DateTimeOffset erasedAt);

    /// <summary>
    /// Every customer's days with a purchase or a return whose event time is at or before
    /// <paramref name="until"/> (all of them when null): what the lifetime-value models are
    /// fitted on. Read from the log, so no customer needs to be active. A customer's days come
    /// together, in day order.
    /// </summary>
    IAsyncEnumerable<CustomerDay> ReadPurchaseDaysAsync(DateTimeOffset? until, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> ids of customers with a log, in ordinal order, after
    /// <paramref name="after"/> (from the first when null): pages over every customer, active
    /// or not, for work that must reach them all.
    /// </summary>
    Task<IReadOnlyList<string>> ReadCustomerIdsAsync(string? after, int limit);

    /// <summary>
    /// Up to <paramref name="limit"/> customers with a log, in ordinal id order, after
    /// <paramref name="after"/> (from the first when null): the re-scoring sweep's pages. Each
    /// comes with its stored value summary only when that is current: its snapshot has one and
    /// is at the customer's last log entry. Otherwise the summary is null, and only the customer
    /// itself can say how it scores. A store over a network answers in one round trip.
    /// </summary>
    async Task<IReadOnlyList<SweepCandidate>> ReadSweepPageAsync(string? after, int limit) =>
        [.. (await ReadCustomerIdsAsync(after, limit)).Select(id => new SweepCandidate(id, null))];

    /// <summary>How many customers have a log.</summary>
    Task<long> CountCustomersAsync();

    /// <summary>The logged touchpoint of the customer with this event id, if any.</summary>
    Task<LoggedEvent?> FindEventAsync(string customerId, string eventId);

    /// <summary>
    /// Up to <paramref name="limit"/> touchpoints, newest first by (event time, event id),
    /// strictly after <paramref name="after"/> when given and not before <paramref name="notBefore"/>.
    /// </summary>
    Task<IReadOnlyList<Touchpoint>> ReadTouchpointsAsync(string customerId, TouchpointCursor? after, DateTimeOffset? notBefore, int limit);

    /// <summary>
    /// A log position at or after this service's newest committed entry (0 when the log is
    /// empty). Where services share one log table and its positions, this may be the newest
    /// position of any service. Every entry this store was writing at or below it has its
    /// outcome (committed or failed) by the time the answer comes, so that the customers
    /// changed up to it can be listed: a store that commits several batches at once waits for
    /// those under way.
    /// </summary>
    Task<long> LastPositionAsync();

    /// <summary>Customers with entries at log positions above <paramref name="position"/>.</summary>
    Task<IReadOnlyList<string>> CustomersAfterAsync(long position);

    /// <summary>Records <paramref name="position"/> under <paramref name="name"/> unless a later one is recorded already.</summary>
    Task AdvanceCheckpointAsync(string name, long position);

    /// <summary>Every checkpoint recorded under a name that starts with <paramref name="prefix"/>, by name.</summary>
    Task<IReadOnlyDictionary<string, long>> ReadCheckpointsAsync(string prefix);

    /// <summary>Forgets the checkpoint <paramref name="name"/> if it records <paramref name="atLeast"/> or a later position.</summary>
    Task RemoveCheckpointAsync(string name, long atLeast);
}

/// <summary>
/// The customer store could not be reached or could not commit, or the customer changed
/// elsewhere: the change was not applied here, and retrying it is safe.
/// </summary>
[GenerateSerializer, Alias("c360.CustomerStoreUnavailableException")]
public sealed class CustomerStoreUnavailableException : Exception
{
    public CustomerStoreUnavailableException(string message)
        : base(message)
    {
    }

    public CustomerStoreUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Whether <paramref name="exception"/> is, or was caused by, the store being unavailable.</summary>
    public static bool IsCauseOf(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is CustomerStoreUnavailableException)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// A customer as stored: the latest snapshot, if any, the log entries after it, and its
/// suppression record if it was ever erased.
/// </summary>
public sealed record StoredCustomer(CustomerSnapshot? Snapshot, IReadOnlyList<CustomerLogEntry> Entries, CustomerTombstone? Tombstone = null);

/// <summary>
/// What is kept of an erased customer: when it was erased, and the version the erasure took.
/// A new history of the id starts at the version after it.
/// </summary>
public sealed record CustomerTombstone(DateTimeOffset ErasedAt, long Version)
{
    /// <summary>
    /// The record an erasure at <paramref name="erasedAt"/> leaves: its version one above every
    /// version the customer had, its last log entry, its snapshot and an earlier erasure.
    /// </summary>
    public static CustomerTombstone After(DateTimeOffset erasedAt, long lastSequence, long snapshotVersion, CustomerTombstone? earlier) =>
        new(erasedAt, Math.Max(Math.Max(lastSequence, snapshotVersion), earlier?.Version ?? 0) + 1);
}

/// <summary>
/// The outcome of an erasure: the suppression record, how many log entries it removed, and
/// whether the customer had been erased already (then nothing was removed, and the time is the
/// original erasure's).
/// </summary>
public sealed record CustomerErasure(CustomerTombstone Tombstone, long EntriesRemoved, bool AlreadyErased);

/// <summary>A customer the re-scoring sweep reaches, with its value summary when the store holds a current one.</summary>
public sealed record SweepCandidate(string CustomerId, CustomerValueSummary? Summary);

/// <summary>One UTC day of one customer's purchases and returns, in the reporting currency.</summary>
public readonly record struct CustomerDay(string CustomerId, DailyActivity Activity);

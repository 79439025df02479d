using System.Collections.Concurrent;

namespace Customer360.Storage;

/// <summary>
/// The integer keys of customers a silo's store has seen committed, so that the log's batch
/// insert can carry each entry's key instead of looking it up by (service, customer id) in
/// <c>customer360_customer</c>: under load on PostgreSQL that lookup was about a seventh of the
/// database's work per touchpoint (an index descent on two text columns per row), and on SQLite
/// it would be a statement per entry on the one writer.
/// </summary>
/// <remarks>
/// Only committed keys are remembered: those an activation read returns, and those the insert of
/// new customers returns once its whole transaction has committed. The engine never deletes or
/// renames a customer's row, so a remembered key is never stale; anything that ever does must
/// clear it on every silo, since the log has no foreign key to catch an entry under an old key. A customer missing from the cache is looked up
/// as before, so the cache changes no outcome, only the cost. It is bounded: when it holds
/// <see cref="Capacity"/> keys it starts again empty, and customers come back into it at their
/// next activation.
/// </remarks>
internal sealed class CustomerKeyCache(int capacity)
{
    /// <summary>
    /// Keys held at most per silo by default. Each costs about 100 bytes (the dictionary's node and
    /// bucket, and the customer's id once its grain is gone), so about 100 MB at most; an active
    /// customer costs a hundred times that in its grain.
    /// </summary>
    public const int DefaultCapacity = 1_000_000;

    private readonly ConcurrentDictionary<string, long> _keys = new(StringComparer.Ordinal);

    // Keys added since the cache last started again. Counted here because the dictionary's own
    // count takes every one of its locks.
    private int _added;
    private readonly Lock _clearing = new();

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "the capacity must be positive");

    public int Count => _keys.Count;

    /// <summary>The customer's key, or null when it is not known here (yet).</summary>
    public long? Find(string customerId) => _keys.TryGetValue(customerId, out var key) ? key : null;

    /// <summary>Remembers a key read from a committed row.</summary>
    public void Remember(string customerId, long key)
    {
        // A customer's key never changes, so one already known is left as it is.
        if (!_keys.TryAdd(customerId, key) || Interlocked.Increment(ref _added) <= Capacity)
        {
            return;
        }

        lock (_clearing)
        {
            if (Volatile.Read(ref _added) > Capacity)
            {
                _keys.Clear();
                Volatile.Write(ref _added, 0);
            }
        }

        // The key just added went with the rest.
        if (_keys.TryAdd(customerId, key))
        {
            Interlocked.Increment(ref _added);
        }
    }
}

using System.Collections.Concurrent;

namespace Customer360.Storage;

/// <summary>
/// The <c>bigint</c> keys of customers a silo's PostgreSQL store has seen committed, so that the
/// log's batch insert can carry each entry's key instead of looking it up by (service, customer
/// id) in <c>customer360_customer</c>: under load that lookup was about a seventh of PostgreSQL's
/// work per touchpoint (an index descent on two text columns per row).
/// </summary>
/// <remarks>
/// Only committed keys are remembered: those an activation read returns, and those the insert of
/// new customers returns once its whole transaction has committed. A key never changes once its
/// row exists, so a remembered key is never stale. A customer missing from the cache is looked up
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

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "the capacity must be positive");

    public int Count => _keys.Count;

    /// <summary>The customer's key, or null when it is not known here (yet).</summary>
    public long? Find(string customerId) => _keys.TryGetValue(customerId, out var key) ? key : null;

    /// <summary>Remembers a key read from a committed row.</summary>
    public void Remember(string customerId, long key)
    {
        if (_keys.Count >= Capacity && !_keys.ContainsKey(customerId))
        {
            _keys.Clear();
        }

        _keys[customerId] = key;
    }
}

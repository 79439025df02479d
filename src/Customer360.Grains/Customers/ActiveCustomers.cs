using System.Collections.Concurrent;

namespace Customer360.Grains.Customers;

/// <summary>
/// The customers this silo holds in memory, or is restoring: a customer grain joins at the
/// start of its activation and leaves when it deactivates or fails to activate. The re-scoring
/// sweep asks it (through <see cref="IActiveCustomersGrain"/>) which customers it must ask to
/// rescore themselves; any customer not listed on any silo is rescored from its stored value
/// summary without being woken.
/// </summary>
public sealed class ActiveCustomers
{
    // Counted, not just listed: should a new activation of a customer ever join before the old
    // one has left, the customer stays held until both have.
    private readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);

    public int Count => _ids.Count;

    public void Join(string customerId) => _ids.AddOrUpdate(customerId, 1, static (_, n) => n + 1);

    public void Leave(string customerId)
    {
        while (_ids.TryGetValue(customerId, out var n))
        {
            if (n <= 1
                ? _ids.TryRemove(new KeyValuePair<string, int>(customerId, n))
                : _ids.TryUpdate(customerId, n - 1, n))
            {
                return;
            }
        }
    }

    public bool Contains(string customerId) => _ids.ContainsKey(customerId);

    /// <summary>Those of <paramref name="customerIds"/> that are active on this silo.</summary>
    public string[] Among(IEnumerable<string> customerIds) => [.. customerIds.Where(_ids.ContainsKey)];
}

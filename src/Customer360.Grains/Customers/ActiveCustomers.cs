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
    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);

    public int Count => _ids.Count;

    public void Join(string customerId) => _ids[customerId] = 0;

    public void Leave(string customerId) => _ids.TryRemove(customerId, out _);

    public bool Contains(string customerId) => _ids.ContainsKey(customerId);

    /// <summary>Those of <paramref name="customerIds"/> that are active on this silo.</summary>
    public string[] Among(IEnumerable<string> customerIds) => [.. customerIds.Where(_ids.ContainsKey)];
}

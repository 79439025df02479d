using System.Collections.Concurrent;
using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;

namespace Customer360.Grains.Storage;

/// <summary>
/// The customer store held in process memory: nothing survives a restart. For development and
/// for test clusters, whose silos share one process and therefore one store per service id
/// (see <see cref="ForService"/>).
/// </summary>
public sealed class MemoryCustomerStore : ICustomerStore
{
    private static readonly ConcurrentDictionary<string, MemoryCustomerStore> Services = new(StringComparer.Ordinal);

    private readonly Lock _gate = new();
    // Every entry in commit order, its index its position; an erased entry leaves null in its place.
    private readonly List<CustomerLogEntry?> _log = [];
    private readonly Dictionary<string, List<CustomerLogEntry>> _byCustomer = new(StringComparer.Ordinal);
    private readonly Dictionary<(string CustomerId, string EventId), CustomerLogEntry> _byEvent = [];
    private readonly HashSet<(string CustomerId, long Sequence)> _sequences = [];
    private readonly Dictionary<string, CustomerSnapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _checkpoints = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CustomerTombstone> _tombstones = new(StringComparer.Ordinal);

    /// <summary>The one store of a service, shared by every silo of it in this process.</summary>
    public static MemoryCustomerStore ForService(string serviceId) => Services.GetOrAdd(serviceId, _ => new MemoryCustomerStore());

    /// <summary>
    /// Lets go of a service's store once every silo of it has stopped, so that a process that
    /// starts cluster after cluster (a load test, a test run) does not keep every one's log.
    /// </summary>
    public static void Forget(string serviceId) => Services.TryRemove(serviceId, out _);

    /// <summary>Whether this process still holds a store for the service.</summary>
    public static bool Holds(string serviceId) => Services.ContainsKey(serviceId);

    public Task<bool> AppendAsync(CustomerLogEntry entry)
    {
        lock (_gate)
        {
            // A sequence at or below an erasure's version belongs to the erased history: only a
            // writer that had not heard of the erasure sends one, and it is refused as the
            // databases refuse it (their erased entries keep their sequences, blank).
            if (_sequences.Contains((entry.CustomerId, entry.Sequence))
                || (entry.Touchpoint is { } t && _byEvent.ContainsKey((entry.CustomerId, t.EventId)))
                || (_tombstones.TryGetValue(entry.CustomerId, out var erased) && entry.Sequence <= erased.Version))
            {
                return Task.FromResult(false);
            }

            _sequences.Add((entry.CustomerId, entry.Sequence));
            _log.Add(entry);
            (_byCustomer.TryGetValue(entry.CustomerId, out var entries) ? entries : _byCustomer[entry.CustomerId] = []).Add(entry);
            if (entry.Touchpoint is { } touchpoint)
            {
                _byEvent[(entry.CustomerId, touchpoint.EventId)] = entry;
            }

            return Task.FromResult(true);
        }
    }

    public void SaveSnapshot(CustomerSnapshot snapshot)
    {
        lock (_gate)
        {
            if (_tombstones.TryGetValue(snapshot.CustomerId, out var erased) && erased.Version >= snapshot.Version)
            {
                // Of the customer as it was before its erasure.
                return;
            }

            if (!_snapshots.TryGetValue(snapshot.CustomerId, out var stored) || stored.Version < snapshot.Version
                || (stored.Version == snapshot.Version && stored.Summary is null))
            {
                _snapshots[snapshot.CustomerId] = snapshot;
            }
        }
    }

    public Task<CustomerSnapshot?> ReadSnapshotAsync(string customerId)
    {
        lock (_gate)
        {
            return Task.FromResult(_snapshots.GetValueOrDefault(customerId));
        }
    }

    public Task<IReadOnlyList<CustomerLogEntry>> ReadEntriesAsync(string customerId, long afterSequence)
    {
        lock (_gate)
        {
            IReadOnlyList<CustomerLogEntry> entries = _byCustomer.TryGetValue(customerId, out var list)
                ? [.. list.Where(e => e.Sequence > afterSequence).OrderBy(e => e.Sequence)]
                : [];
            return Task.FromResult(entries);
        }
    }

    public async IAsyncEnumerable<CustomerDay> ReadPurchaseDaysAsync(DateTimeOffset? until, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<CustomerDay> days;
        lock (_gate)
        {
            days =
            [
                .. _log
                    .Select(e => e?.Touchpoint)
                    .OfType<Touchpoint>()
                    .Where(t => t.Kind is TouchpointKind.Purchase or TouchpointKind.Return && (until is null || t.OccurredAt <= until))
                    .GroupBy(t => (t.CustomerId, Day: DailyActivity.DayOf(t.OccurredAt)))
                    .Select(g => new CustomerDay(g.Key.CustomerId, new DailyActivity(
                        g.Key.Day,
                        g.Where(t => t.Kind == TouchpointKind.Purchase).Sum(t => t.ReportingAmount ?? 0m),
                        g.Where(t => t.Kind == TouchpointKind.Return).Sum(t => t.ReportingAmount ?? 0m),
                        g.Count(t => t.Kind == TouchpointKind.Purchase))))
                    .OrderBy(d => d.CustomerId, StringComparer.Ordinal)
                    .ThenBy(d => d.Activity.Day),
            ];
        }

        foreach (var day in days)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return day;
        }

        await Task.CompletedTask;
    }

    public Task<LoggedEvent?> FindEventAsync(string customerId, string eventId)
    {
        lock (_gate)
        {
            return Task.FromResult(_byEvent.TryGetValue((customerId, eventId), out var e) ? new LoggedEvent(e.Sequence, e.Fingerprint) : null);
        }
    }

    public Task<IReadOnlyList<Touchpoint>> ReadTouchpointsAsync(string customerId, TouchpointCursor? after, DateTimeOffset? notBefore, int limit)
    {
        lock (_gate)
        {
            IEnumerable<Touchpoint> touchpoints = _byCustomer.TryGetValue(customerId, out var list)
                ? list.Select(e => e.Touchpoint).OfType<Touchpoint>()
                : [];
            IReadOnlyList<Touchpoint> page =
            [
                .. touchpoints
                    .Where(t => after is null || after.IsBefore(t))
                    .Where(t => notBefore is null || t.OccurredAt >= notBefore)
                    .Order(Comparer<Touchpoint>.Create(Touchpoint.NewestFirst))
                    .Take(limit),
            ];
            return Task.FromResult(page);
        }
    }

    public Task<long> LastPositionAsync()
    {
        lock (_gate)
        {
            return Task.FromResult((long)_log.Count);
        }
    }

    public Task<IReadOnlyList<string>> ReadCustomerIdsAsync(string? after, int limit)
    {
        lock (_gate)
        {
            IReadOnlyList<string> customers =
            [
                .. _byCustomer.Keys
                    .Where(id => after is null || string.CompareOrdinal(id, after) > 0)
                    .Order(StringComparer.Ordinal)
                    .Take(limit),
            ];
            return Task.FromResult(customers);
        }
    }

    public Task<IReadOnlyList<SweepCandidate>> ReadSweepPageAsync(string? after, int limit)
    {
        lock (_gate)
        {
            IReadOnlyList<SweepCandidate> page =
            [
                .. _byCustomer
                    .Where(kv => after is null || string.CompareOrdinal(kv.Key, after) > 0)
                    .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                    .Take(limit)
                    .Select(kv => new SweepCandidate(kv.Key, CurrentSummary(kv.Key, kv.Value.Count == 0 ? 0 : kv.Value.Max(e => e.Sequence)))),
            ];
            return Task.FromResult(page);
        }
    }

    // Caller holds the lock.
    private Domain.Values.CustomerValueSummary? CurrentSummary(string customerId, long lastSequence) =>
        _snapshots.TryGetValue(customerId, out var snapshot) && snapshot.Version == lastSequence && lastSequence > 0 ? snapshot.Summary : null;

    public Task<long> CountCustomersAsync()
    {
        lock (_gate)
        {
            return Task.FromResult((long)_byCustomer.Count);
        }
    }

    public Task<IReadOnlyList<string>> CustomersAfterAsync(long position)
    {
        lock (_gate)
        {
            IReadOnlyList<string> customers = [.. _log.Skip((int)Math.Min(position, _log.Count)).OfType<CustomerLogEntry>().Select(e => e.CustomerId).Distinct(StringComparer.Ordinal)];
            return Task.FromResult(customers);
        }
    }

    public Task<CustomerTombstone?> ReadTombstoneAsync(string customerId)
    {
        lock (_gate)
        {
            return Task.FromResult(_tombstones.GetValueOrDefault(customerId));
        }
    }

    public Task<CustomerErasure?> EraseCustomerAsync(string customerId, DateTimeOffset erasedAt)
    {
        lock (_gate)
        {
            var tombstone = _tombstones.GetValueOrDefault(customerId);
            _byCustomer.Remove(customerId, out var entries);
            var snapshot = _snapshots.Remove(customerId, out var removed) ? removed : null;
            if (entries is null && snapshot is null)
            {
                // Never seen, or erased with nothing stored since.
                return Task.FromResult(tombstone is null ? null : new CustomerErasure(tombstone, 0, AlreadyErased: true));
            }

            entries ??= [];
            foreach (var entry in entries)
            {
                _sequences.Remove((entry.CustomerId, entry.Sequence));
                if (entry.Touchpoint is { } touchpoint)
                {
                    _byEvent.Remove((entry.CustomerId, touchpoint.EventId));
                }
            }

            for (var i = 0; i < _log.Count; i++)
            {
                if (_log[i] is { } logged && string.Equals(logged.CustomerId, customerId, StringComparison.Ordinal))
                {
                    _log[i] = null;
                }
            }

            var erased = _tombstones[customerId] = CustomerTombstone.After(
                erasedAt, entries.Count == 0 ? 0 : entries.Max(e => e.Sequence), snapshot?.Version ?? 0, tombstone);
            return Task.FromResult<CustomerErasure?>(new CustomerErasure(erased, entries.Count, AlreadyErased: false));
        }
    }

    public Task AdvanceCheckpointAsync(string name, long position)
    {
        lock (_gate)
        {
            _checkpoints[name] = Math.Max(position, _checkpoints.GetValueOrDefault(name));
            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyDictionary<string, long>> ReadCheckpointsAsync(string prefix)
    {
        lock (_gate)
        {
            IReadOnlyDictionary<string, long> found = _checkpoints
                .Where(c => c.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(StringComparer.Ordinal);
            return Task.FromResult(found);
        }
    }

    public Task RemoveCheckpointAsync(string name, long atLeast)
    {
        lock (_gate)
        {
            if (_checkpoints.TryGetValue(name, out var position) && position >= atLeast)
            {
                _checkpoints.Remove(name);
            }

            return Task.CompletedTask;
        }
    }
}

using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using Customer360.Grains.Storage;

namespace Customer360.Cluster.Tests.Infrastructure;

/// <summary>
/// A customer store that hands every call to <paramref name="inner"/>; a test's store derives
/// from it and overrides only the calls it makes fail, slow or lose.
/// </summary>
public abstract class PassThroughCustomerStore(ICustomerStore inner) : ICustomerStore
{
    protected ICustomerStore Inner => inner;

    public virtual Task<bool> AppendAsync(CustomerLogEntry entry) => inner.AppendAsync(entry);

    public virtual Task<StoredCustomer> ReadCustomerAsync(string customerId) => inner.ReadCustomerAsync(customerId);

    public void SaveSnapshot(CustomerSnapshot snapshot) => inner.SaveSnapshot(snapshot);

    public Task<CustomerSnapshot?> ReadSnapshotAsync(string customerId) => inner.ReadSnapshotAsync(customerId);

    public Task<IReadOnlyList<CustomerLogEntry>> ReadEntriesAsync(string customerId, long afterSequence) => inner.ReadEntriesAsync(customerId, afterSequence);

    public virtual IAsyncEnumerable<CustomerDay> ReadPurchaseDaysAsync(DateTimeOffset? until, CancellationToken cancellationToken = default) =>
        inner.ReadPurchaseDaysAsync(until, cancellationToken);

    public Task<IReadOnlyList<string>> ReadCustomerIdsAsync(string? after, int limit) => inner.ReadCustomerIdsAsync(after, limit);

    public Task<IReadOnlyList<SweepCandidate>> ReadSweepPageAsync(string? after, int limit) => inner.ReadSweepPageAsync(after, limit);

    public Task<long> CountCustomersAsync() => inner.CountCustomersAsync();

    public Task<LoggedEvent?> FindEventAsync(string customerId, string eventId) => inner.FindEventAsync(customerId, eventId);

    public Task<IReadOnlyList<Touchpoint>> ReadTouchpointsAsync(string customerId, TouchpointCursor? after, DateTimeOffset? notBefore, int limit) =>
        inner.ReadTouchpointsAsync(customerId, after, notBefore, limit);

    public Task<long> LastPositionAsync() => inner.LastPositionAsync();

    public Task<IReadOnlyList<string>> CustomersAfterAsync(long position) => inner.CustomersAfterAsync(position);

    public Task AdvanceCheckpointAsync(string name, long position) => inner.AdvanceCheckpointAsync(name, position);

    public Task<IReadOnlyDictionary<string, long>> ReadCheckpointsAsync(string prefix) => inner.ReadCheckpointsAsync(prefix);

    public Task RemoveCheckpointAsync(string name, long atLeast) => inner.RemoveCheckpointAsync(name, atLeast);

    public Task<CustomerTombstone?> ReadTombstoneAsync(string customerId) => inner.ReadTombstoneAsync(customerId);

    public virtual Task<CustomerErasure?> EraseCustomerAsync(string customerId, DateTimeOffset erasedAt) => inner.EraseCustomerAsync(customerId, erasedAt);
}

using System.Data.Common;
using System.Runtime.CompilerServices;
using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;

namespace Customer360.Grains.Storage;

/// <summary>
/// A customer store whose database failures (unreachable, timed out, refused) surface as
/// <see cref="CustomerStoreUnavailableException"/>, which the API answers with UNAVAILABLE: the
/// call changed nothing and may be retried. Every caller gets the same answer, whether it is a
/// customer's activation, a page of history, the value model's fit, the re-scoring sweep or
/// segment recovery, and the exception crosses silos intact, which a driver's own exception
/// type would not.
/// </summary>
/// <remarks>
/// Appends already fail this way in the group committer, which knows whether a batch may have
/// been stored; they pass through unchanged, as does advancing a checkpoint.
/// </remarks>
public sealed class UnavailableOnDatabaseFailure(ICustomerStore inner) : ICustomerStore, IAsyncDisposable
{
    public ICustomerStore Inner { get; } = inner;

    public Task<bool> AppendAsync(CustomerLogEntry entry) => Inner.AppendAsync(entry);

    public void SaveSnapshot(CustomerSnapshot snapshot) => Inner.SaveSnapshot(snapshot);

    public Task<CustomerSnapshot?> ReadSnapshotAsync(string customerId) => Guard(() => Inner.ReadSnapshotAsync(customerId));

    public Task<IReadOnlyList<CustomerLogEntry>> ReadEntriesAsync(string customerId, long afterSequence) =>
        Guard(() => Inner.ReadEntriesAsync(customerId, afterSequence));

    public Task<StoredCustomer> ReadCustomerAsync(string customerId) => Guard(() => Inner.ReadCustomerAsync(customerId));

    public async IAsyncEnumerable<CustomerDay> ReadPurchaseDaysAsync(DateTimeOffset? until, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A yield cannot sit inside a try with a catch, so each step is taken inside one.
        var days = Inner.ReadPurchaseDaysAsync(until, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await days.MoveNextAsync();
                }
                catch (DbException ex)
                {
                    throw Unavailable(ex);
                }

                if (!more)
                {
                    yield break;
                }

                yield return days.Current;
            }
        }
        finally
        {
            await days.DisposeAsync();
        }
    }

    public Task<IReadOnlyList<string>> ReadCustomerIdsAsync(string? after, int limit) => Guard(() => Inner.ReadCustomerIdsAsync(after, limit));

    public Task<IReadOnlyList<SweepCandidate>> ReadSweepPageAsync(string? after, int limit) => Guard(() => Inner.ReadSweepPageAsync(after, limit));

    public Task<long> CountCustomersAsync() => Guard(() => Inner.CountCustomersAsync());

    public Task<LoggedEvent?> FindEventAsync(string customerId, string eventId) => Guard(() => Inner.FindEventAsync(customerId, eventId));

    public Task<IReadOnlyList<Touchpoint>> ReadTouchpointsAsync(string customerId, TouchpointCursor? after, DateTimeOffset? notBefore, int limit) =>
        Guard(() => Inner.ReadTouchpointsAsync(customerId, after, notBefore, limit));

    public Task<long> LastPositionAsync() => Guard(() => Inner.LastPositionAsync());

    public Task<IReadOnlyList<string>> CustomersAfterAsync(long position) => Guard(() => Inner.CustomersAfterAsync(position));

    public Task<CustomerTombstone?> ReadTombstoneAsync(string customerId) => Guard(() => Inner.ReadTombstoneAsync(customerId));

    public async Task<CustomerErasure?> EraseCustomerAsync(string customerId, DateTimeOffset erasedAt)
    {
        try
        {
            return await Inner.EraseCustomerAsync(customerId, erasedAt);
        }
        catch (DbException ex)
        {
            // Its commit may have failed after reaching the database: erasing again is safe, and
            // reports an erasure that did commit as done already.
            throw new CustomerStoreUnavailableException($"The erasure of customer '{customerId}' may not have been stored. Retry: erasing again is safe.", ex);
        }
    }

    /// <summary>Passes through: only start-up recovery and checkpoints call it, never the API.</summary>
    public Task AdvanceCheckpointAsync(string name, long position) => Inner.AdvanceCheckpointAsync(name, position);

    public Task<IReadOnlyDictionary<string, long>> ReadCheckpointsAsync(string prefix) => Guard(() => Inner.ReadCheckpointsAsync(prefix));

    public Task RemoveCheckpointAsync(string name, long atLeast) => Inner.RemoveCheckpointAsync(name, atLeast);

    public ValueTask DisposeAsync() => InnerStore.DisposeAsync(Inner);

    private static async Task<T> Guard<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (DbException ex)
        {
            throw Unavailable(ex);
        }
    }

    private static CustomerStoreUnavailableException Unavailable(DbException ex) =>
        new("The customer store could not be read; nothing was changed. Retry.", ex);
}

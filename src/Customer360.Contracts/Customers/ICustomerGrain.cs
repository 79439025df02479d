using Orleans.Concurrency;
using Customer360.Domain.Customers;

namespace Customer360.Contracts.Customers;

/// <summary>
/// One customer, keyed by <see cref="CustomerKeys.ToGrainKey"/>. Calls are processed one at a
/// time, so a write acknowledged here is seen by every later read of this customer anywhere in
/// the cluster.
/// </summary>
[Alias("c360.ICustomerGrain")]
public interface ICustomerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Applies a validated touchpoint and persists it before returning. A touchpoint whose event
    /// id was already applied changes nothing and is reported as a duplicate.
    /// A customer never seen before is created.
    /// </summary>
    [Alias("RecordTouchpoint")]
    Task<TouchpointResult> RecordTouchpointAsync([Immutable] Touchpoint touchpoint);

    /// <summary>
    /// Applies a validated profile patch, creating the customer if needed, and returns the new
    /// view; or refuses the whole patch when the merged profile would break a limit.
    /// </summary>
    [Alias("UpsertProfile")]
    Task<UpsertProfileResult> UpsertProfileAsync([Immutable] ProfilePatch patch);

    /// <summary>
    /// The 360 view, or null for a customer never written. Answered between the customer's other
    /// calls rather than after them: a read never waits for a change still awaiting its commit,
    /// and shows every change acknowledged before it was made, since a change is applied only
    /// once committed.
    /// </summary>
    [Alias("GetView"), AlwaysInterleave]
    Task<CustomerView?> GetViewAsync();

    /// <summary>
    /// The 360 view with at most <paramref name="recentTouchpoints"/> of the kept recent
    /// touchpoints, newest first (0 for none), or null for a customer never written.
    /// </summary>
    [Alias("GetViewWithRecent"), AlwaysInterleave]
    Task<CustomerView?> GetViewAsync(int recentTouchpoints);

    /// <summary>
    /// One page of touchpoints, newest first by event time; null for a customer never written.
    /// Answered between the customer's other calls, as a view is: it reads the log, which holds
    /// only committed changes.
    /// </summary>
    [Alias("ListTouchpoints"), AlwaysInterleave]
    Task<TouchpointPage?> ListTouchpointsAsync(TouchpointQuery query);

    /// <summary>
    /// Erases the customer (a right-to-be-forgotten request): its log entries and snapshot are
    /// deleted in one transaction, its id stays as a suppression record with the erasure time,
    /// it leaves every segment, and its watches end. Durable before it returns. Null for a
    /// customer never seen; a customer erased already, with nothing recorded since, is reported
    /// as such with its original erasure time.
    /// </summary>
    [Alias("Erase")]
    Task<CustomerErasureResult?> EraseAsync();

    /// <summary>
    /// When the customer was erased, if it was and nothing has been recorded of it since; null
    /// for a customer never seen or one with a history. Asked only to say why a read found
    /// nothing, and answered between the customer's other calls as that read was.
    /// </summary>
    [Alias("ErasedAt"), AlwaysInterleave]
    Task<DateTimeOffset?> ErasedAtAsync();

    /// <summary>
    /// Re-states the customer's membership in every segment (activating it from its snapshot
    /// and log if needed). Used by recovery after a crash that may have lost segment updates.
    /// </summary>
    [Alias("RestateSegments")]
    Task RestateSegmentsAsync();

    /// <summary>
    /// Rescores the customer with value model <paramref name="modelVersion"/> (or newer) as of
    /// today, unless it already is, and tells its segments. Used by the re-scoring sweep after a
    /// refit and as days pass. A customer that was not active goes back to sleep afterwards,
    /// so a sweep over every customer does not fill the silos' memory. True if the score was
    /// recomputed, here or by the activation this call caused.
    /// </summary>
    [Alias("RefreshValue")]
    Task<bool> RefreshValueAsync(long modelVersion);

    /// <summary>
    /// Returns the view as soon as it is newer than the one the caller knows: a higher version,
    /// or at <paramref name="knownVersion"/> a higher score revision (a rescore, by a new value
    /// model or on a new day); null when <paramref name="maxWait"/> passes first or the caller
    /// cancels. Pass <see cref="long.MaxValue"/> as <paramref name="knownScoreRevision"/> to wait
    /// for a new version only. Only persisted changes are reported.
    /// </summary>
    [Alias("WaitForChange"), AlwaysInterleave]
    Task<CustomerView?> WaitForChangeAsync(long knownVersion, long knownScoreRevision, TimeSpan maxWait, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="WaitForChangeAsync(long, long, TimeSpan, CancellationToken)"/>, with views of at
    /// most <paramref name="recentTouchpoints"/> recent touchpoints (0 for none).
    /// </summary>
    [Alias("WaitForChangeWithRecent"), AlwaysInterleave]
    Task<CustomerView?> WaitForChangeAsync(long knownVersion, long knownScoreRevision, TimeSpan maxWait, int recentTouchpoints, CancellationToken cancellationToken = default);
}

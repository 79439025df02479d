using Customer360.Contracts.Customers;
using Customer360.Contracts.Segments;
using Customer360.Domain.Customers;
using Customer360.Domain.Segments;
using Customer360.Domain.Validation;
using Customer360.Domain.Values;
using Customer360.Grains.Configuration;
using Customer360.Grains.Segments;
using Customer360.Grains.Storage;
using Customer360.Grains.Values;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Serialization;

namespace Customer360.Grains.Customers;

/// <summary>
/// The live customer. Every change is appended to the customer log, and committed, before it
/// is applied and acknowledged; the log is the source of truth. On activation the customer is
/// rebuilt from its latest snapshot plus the log entries after it. Segment figures follow
/// through the silo's <see cref="SegmentUpdateBuffer"/>.
/// </summary>
/// <remarks>
/// Customers are placed by a hash of their id, so they spread evenly over the silos whichever
/// gRPC endpoint a client uses, and a lost silo's customers spread evenly over the survivors.
/// </remarks>
[HashBasedPlacement]
public sealed partial class CustomerGrain(
    ICustomerStore store,
    IOptions<Customer360Options> options,
    ValueModelCache valueModel,
    SegmentUpdateBuffer segments,
    ActiveCustomers active,
    Serializer<Customer> snapshotSerializer,
    TimeProvider clock,
    ILogger<CustomerGrain> logger) : Grain, ICustomerGrain
{
    private readonly string _reportingCurrency = options.Value.ReportingCurrency;
    private readonly int _snapshotEvery = options.Value.SnapshotEvery;
    private readonly ProfileValidator _profileRules = new(options.Value.Limits);
    // What watchers wait on; made when the first one waits, so the many customers nobody is
    // watching make no signal per change.
    private TaskCompletionSource? _changed;

    // Null until the customer's first change is committed, and again once it is erased.
    private Customer? _customer;

    // The customer's suppression record, if it was ever erased: read with the customer on
    // activation, so that refusing a touchpoint of the erased history costs no query. A new
    // history of the id is numbered on from its version.
    private CustomerTombstone? _tombstone;

    // The version the stored snapshot reflects.
    private long _snapshotVersion;

    // Whether the stored snapshot has a value summary; those written by earlier versions do not.
    private bool _snapshotHasSummary;

    // Set when a write's outcome is unknown or another activation wrote first: this
    // activation's memory may disagree with the log, so it takes no more writes and is dropped.
    private bool _stale;

    // Set while the store could not be read for this activation: it holds nothing, and every
    // call reads again first, failing with UNAVAILABLE while the store stays out of reach.
    // Failing the activation itself would do the same, but the runtime logs each failed
    // activation as two errors with their stacks, and forwards the calls waiting for it, with a
    // warning for each: during a database outage, for every customer called.
    // Calls that find it set read again through _readingAgain, so that two reads never overlap,
    // even with views, which interleave with the other calls; WaitForChangeAsync never reads
    // again itself. Once read, an activation never becomes unreadable again.
    private CustomerStoreUnavailableException? _unreadable;

    // The read of the store under way for an unreadable activation, which every call that finds
    // it unreadable meanwhile awaits instead of starting its own.
    private Task? _readingAgain;

    private string? _customerId;

    // Set by every call but RefreshValueAsync: a customer woken only by the re-scoring sweep
    // does not stay in memory.
    private bool _called;

    private string CustomerId => _customerId ??= CustomerKeys.FromGrainKey(this.GetPrimaryKeyString());

    private long NextSequence => (_customer?.Version ?? _tombstone?.Version ?? 0) + 1;

    public override Task OnActivateAsync(CancellationToken cancellationToken) => LoadAsync();

    /// <summary>
    /// Restores the customer from the store. If the store cannot be read, the activation holds
    /// nothing and remembers why (<see cref="_unreadable"/>); each call then reads again first.
    /// </summary>
    private async Task LoadAsync()
    {
        // Held from the start, before the model is taken: the re-scoring sweep rescores customers
        // no silo holds without waking them, and one being restored must be asked instead.
        active.Join(CustomerId);
        try
        {
            await RestoreAsync();
            _unreadable = null;
        }
        catch (CustomerStoreUnavailableException ex)
        {
            active.Leave(CustomerId);
            Forget();
            _unreadable = ex;
        }
        catch
        {
            active.Leave(CustomerId);
            Forget();
            throw;
        }
    }

    /// <summary>Drops whatever a failed restore left half built, so that nothing serves or saves it.</summary>
    private void Forget()
    {
        _customer = null;
        _tombstone = null;
        _snapshotVersion = 0;
        _snapshotHasSummary = false;
    }

    /// <summary>What a call to an activation that could not read the store (<see cref="_unreadable"/>) is told.</summary>
    private static CustomerStoreUnavailableException Unreadable(CustomerStoreUnavailableException unreadable) =>
        unreadable.InnerException is { } cause
            ? new CustomerStoreUnavailableException(unreadable.Message, cause)
            : new CustomerStoreUnavailableException(unreadable.Message);

    /// <summary>
    /// Reads the store again for an activation that could not (<see cref="_unreadable"/>), or
    /// awaits the read another call started; fails the call if it still cannot.
    /// </summary>
    private async Task ReadAgainAsync()
    {
        if (_readingAgain is { } underWay)
        {
            await underWay;
        }
        else
        {
            // Cleared by the call that started it, once done (LoadAsync handles its failures).
            var reading = _readingAgain = LoadAsync();
            await reading;
            _readingAgain = null;
        }

        if (_unreadable is { } unreadable)
        {
            throw Unreadable(unreadable);
        }
    }

    private async Task RestoreAsync()
    {
        var customerId = CustomerId;
        var (snapshot, entries, tombstone) = await store.ReadCustomerAsync(customerId);
        _tombstone = tombstone;
        if (tombstone is not null)
        {
            // Only a writer that had not heard of the erasure (a second activation, for a moment
            // while a cluster reconfigures) could have stored anything at or below its version:
            // that is of the erased history, and is never replayed.
            snapshot = snapshot?.Version > tombstone.Version ? snapshot : null;
            entries = [.. entries.Where(e => e.Sequence > tombstone.Version)];
        }

        if (snapshot is not null)
        {
            var restored = snapshotSerializer.Deserialize(snapshot.Payload)
                ?? throw new InvalidDataException($"The snapshot of customer '{customerId}' is empty.");
            _customer = restored;
            _snapshotVersion = restored.Version;
            _snapshotHasSummary = snapshot.Summary is not null;
        }

        foreach (var entry in entries)
        {
            if (entry.Sequence != NextSequence)
            {
                throw new InvalidOperationException(
                    $"The log of customer '{customerId}' continues at entry {entry.Sequence} where {NextSequence} was expected.");
            }

            Apply(entry, valueModel.RulesWithoutModel);
        }

        if (_customer is not { } customer)
        {
            if (tombstone is not null)
            {
                // Erased: re-stated as gone from every segment, which mends a segment that lost
                // the erasure's leave (its store was restored from a backup, say).
                segments.ReportErased(customerId, new MembershipOrder(tombstone.Version, 0));
            }

            return;
        }

        // Replayed entries were scored with the cheap fallback; the customer is scored once.
        // With a model, as of today: the score moves with T, and the customer may have been
        // rescored before it was last deactivated. A silo that has not yet heard of the model
        // the snapshot was scored with, or not asked for a model at all yet (a silo starting
        // up), fetches it first, so a score never goes back a model.
        var rules = await RulesForAsync(customer.Value?.ModelVersion ?? 0);
        if (rules.ValueModel is not null)
        {
            customer.Reassess(rules, clock.GetUtcNow());
        }
        else if (entries.Count > 0)
        {
            // Without a model, exactly as the last entry's apply scored it.
            customer.Reassess(rules, entries[^1].RecordedAt);
        }

        // Re-state this customer's memberships in every segment. Updates are ordered, so this
        // is harmless when segments are current and mends them after a lost flush.
        segments.ReportFull(customer.CustomerId, OrderOf(customer), customer.SegmentContributions());
        if (entries.Count > 0 && customer.Version - _snapshotVersion >= _snapshotEvery)
        {
            SaveSnapshot(customer);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Saves the next activation a replay, and gives a snapshot written before value summaries
        // were kept its summary, so the re-scoring sweep need not wake this customer again.
        // Skipped after a failed write: this activation's memory may be ahead of the log then,
        // and the log must have the last word.
        if (_customer is { } customer && (customer.Version > _snapshotVersion || !_snapshotHasSummary) && !_stale && _unreadable is null)
        {
            SaveSnapshot(customer);
        }

        if (_unreadable is null)
        {
            active.Leave(CustomerId);
        }

        return Task.CompletedTask;
    }

    public async Task<TouchpointResult> RecordTouchpointAsync(Touchpoint touchpoint)
    {
        if (_unreadable is not null)
        {
            await ReadAgainAsync();
        }

        _called = true;
        if (!string.Equals(touchpoint.CustomerId, CustomerId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Touchpoint for '{touchpoint.CustomerId}' sent to customer '{CustomerId}'.", nameof(touchpoint));
        }

        if (_tombstone is { } erased && touchpoint.OccurredAt <= erased.ErasedAt)
        {
            // Of the erased history: a till's late retry, an old file imported again.
            return Erased(touchpoint, erased);
        }

        var entry = CustomerLogEntry.For(touchpoint, NextSequence, clock.GetUtcNow());
        if (_customer is { } customer && customer.Check(touchpoint.EventId, entry.Fingerprint) is var remembered and not EventCheck.NotRecent)
        {
            // The customer remembers a hash of the id with a fingerprint of the content. The same
            // fingerprint is the same event: it covers the customer and event ids, exactly as the
            // log's own DUPLICATE test does, so a retry is answered from memory. A different one
            // may be another id sharing the hash, so a conflict is confirmed by the exact id first.
            var verdict = remembered == EventCheck.Duplicate
                ? EventCheck.Duplicate
                : await RecentEvents.ConfirmAsync(customer, touchpoint.EventId, entry.Fingerprint, store);
            switch (verdict)
            {
                case EventCheck.Duplicate:
                    return Duplicate(touchpoint);
                case EventCheck.Conflict:
                    return Conflict(touchpoint);
            }
        }

        bool appended;
        try
        {
            appended = await AppendAsync(entry);
        }
        catch
        {
            DropActivation();
            throw;
        }

        if (!appended)
        {
            // The log already has this event id (a retry from beyond the recent window), or
            // another activation of this customer wrote first.
            // An event logged at or after the position this activation would write next was
            // written by another activation: this one has not applied it, and answering from
            // here would leave the next read without a touchpoint just called recorded.
            var logged = await store.FindEventAsync(CustomerId, touchpoint.EventId);
            if (logged is null || logged.Sequence >= entry.Sequence)
            {
                throw StaleActivation(entry.Sequence);
            }

            return logged.Fingerprint == entry.Fingerprint ? Duplicate(touchpoint) : Conflict(touchpoint);
        }

        Commit(entry);
        return new TouchpointResult(touchpoint.EventId, TouchpointStatus.Accepted, _customer!.Version);
    }

    public async Task<UpsertProfileResult> UpsertProfileAsync(ProfilePatch patch)
    {
        if (_unreadable is not null)
        {
            await ReadAgainAsync();
        }

        _called = true;
        var merged = (_customer?.Profile ?? CustomerProfile.Empty).With(patch);
        if (_profileRules.CheckResult(merged) is { } error)
        {
            return new UpsertProfileResult(null, error.Field, error.Message);
        }

        // A patch that changes nothing (a profile file imported again, a nightly export from an
        // upstream system) is answered with the customer as it is, which is committed already:
        // no log entry, no new version, nothing for watchers. Only if this activation is current,
        // though: one left stale by another activation's write would answer for a profile that is
        // no longer the stored one, so the log is asked first, as an append would find out.
        if (_customer is { } current && merged.HasSameContentAs(current.Profile))
        {
            if (_stale)
            {
                throw Reloading();
            }

            if ((await store.ReadEntriesAsync(CustomerId, current.Version)).Count > 0)
            {
                throw StaleActivation(current.Version + 1);
            }

            return new UpsertProfileResult(BuildView(current), null, null, Changed: false);
        }

        var entry = CustomerLogEntry.For(CustomerId, patch, NextSequence, clock.GetUtcNow());
        if (!await AppendOrDropAsync(entry))
        {
            throw StaleActivation(entry.Sequence);
        }

        Commit(entry);
        return new UpsertProfileResult(BuildView(_customer!), null, null, Changed: true);
    }

    public async Task<CustomerErasureResult?> EraseAsync()
    {
        if (_unreadable is not null)
        {
            await ReadAgainAsync();
        }

        _called = true;
        if (_stale)
        {
            throw Reloading();
        }

        // No append of this activation is in flight here: calls do not interleave (only views
        // and watches do, and they append nothing), and each call awaits its own append. The
        // store commits whatever this silo still had queued before it erases.
        CustomerErasure? erasure;
        try
        {
            erasure = await store.EraseCustomerAsync(CustomerId, clock.GetUtcNow());
        }
        catch
        {
            // Erased or not, this activation's memory can no longer be trusted; a retry reads again.
            DropActivation();
            throw;
        }

        if (erasure is null)
        {
            return null;
        }

        _customer = null;
        _snapshotVersion = 0;
        _snapshotHasSummary = false;
        _tombstone = erasure.Tombstone;

        // Watchers learn of it at once, and end.
        Signal();

        // The customer leaves every segment before the answer, durably: each segment is told
        // directly rather than through the silo's buffer, and writes its members at once. The
        // leave is remembered at the erasure's version, above every update of the erased
        // history, so that a join still buffered on another silo cannot bring the customer back.
        // Stated again by a retry (already erased), which mends a segment an earlier attempt
        // could not reach.
        var leave = SegmentUpdateBuffer.Erasure(CustomerId, new MembershipOrder(erasure.Tombstone.Version, 0));
        try
        {
            await Task.WhenAll(SegmentId.All.Select(async segmentId =>
            {
                var segment = GrainFactory.GetGrain<ISegmentGrain>(segmentId);
                await segment.ApplyAsync([leave]);
                await segment.PersistAsync();
            }));
        }
        catch (Exception e)
        {
            // The erasure stands; the caller is told to retry, which finishes it.
            LogSegmentsNotTold(logger, e, CustomerId);
            throw new CustomerStoreUnavailableException($"Customer '{CustomerId}' was erased, but not every segment could be told yet; erase it again to finish.");
        }

        LogErased(logger, CustomerId, erasure.EntriesRemoved, erasure.AlreadyErased);
        return new CustomerErasureResult(erasure.Tombstone.ErasedAt, erasure.EntriesRemoved, erasure.AlreadyErased);
    }

    public Task<DateTimeOffset?> ErasedAtAsync() =>
        Task.FromResult(_customer is null ? _tombstone?.ErasedAt : null);

    public async Task RestateSegmentsAsync()
    {
        // Segment recovery after a restart wakes every customer changed since the last
        // checkpoint; one woken only for that goes back to sleep, so recovery does not fill memory.
        if (!_called)
        {
            DeactivateOnIdle();
        }

        if (_unreadable is not null)
        {
            await ReadAgainAsync();
        }

        if (_customer is { } customer)
        {
            segments.ReportFull(customer.CustomerId, OrderOf(customer), customer.SegmentContributions());
        }
        else if (_tombstone is { } erased)
        {
            segments.ReportErased(CustomerId, new MembershipOrder(erased.Version, 0));
        }
    }

    public async Task<bool> RefreshValueAsync(long modelVersion)
    {
        // Woken only to be rescored: activation has rescored it; back to sleep afterwards.
        var woken = !_called;
        if (woken)
        {
            DeactivateOnIdle();
        }

        if (_unreadable is not null)
        {
            await ReadAgainAsync();
        }

        var rules = await RulesForAsync(modelVersion);
        if (_customer is not { } customer || rules.ValueModel is null)
        {
            return false;
        }

        return RescoreIfBehind(customer, rules) || woken;
    }

    public Task<CustomerView?> GetViewAsync() => GetViewAsync(int.MaxValue);

    public Task<CustomerView?> GetViewAsync(int recentTouchpoints)
    {
        if (_unreadable is not null)
        {
            return ReadAgainThenViewAsync(recentTouchpoints);
        }

        _called = true;
        if (_customer is not { } customer)
        {
            return Task.FromResult<CustomerView?>(null);
        }

        // A read never shows the score of a model or day the sweep has not reached yet, beside
        // inputs taken as of today: a customer held in memory is rescored first, as the sweep would.
        RescoreIfBehind(customer, valueModel.Rules);
        return Task.FromResult<CustomerView?>(BuildView(customer, recentTouchpoints));
    }

    /// <summary>
    /// Rescores the customer when its score is older than <paramref name="rules"/>' model or than
    /// today, and tells its segments and watchers; whether it did. The sweep and reads share it.
    /// </summary>
    private bool RescoreIfBehind(Customer customer, CustomerRules rules)
    {
        if (rules.ValueModel is not { } model)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        if (customer.Value is { } value && value.Revision >= ValueAssessment.Revise(model.Version, DailyActivity.DayOf(now)))
        {
            return false;
        }

        var before = customer.SegmentContributions();
        customer.Reassess(rules, now);
        segments.Report(customer.CustomerId, OrderOf(customer), before, customer.SegmentContributions());
        Signal();
        return true;
    }

    private async Task<CustomerView?> ReadAgainThenViewAsync(int recentTouchpoints)
    {
        await ReadAgainAsync();
        return await GetViewAsync(recentTouchpoints);
    }

    public async Task<TouchpointPage?> ListTouchpointsAsync(TouchpointQuery query)
    {
        if (_unreadable is not null)
        {
            await ReadAgainAsync();
        }

        _called = true;
        if (_customer is null)
        {
            return null;
        }

        // Keyset pages over the whole log, newest first. The channel and kind filters are
        // applied here, reading the log in chunks until the page is full or the log ends.
        var pageSize = Math.Clamp(query.PageSize, 1, 500);
        var chunkSize = query.Channels.Count == 0 && query.Kinds.Count == 0 ? pageSize + 1 : Math.Max(4 * pageSize, 100);
        var page = new List<Touchpoint>(pageSize);
        var position = query.After;
        if (query.OccurredTo is { } to && (position is null || to.UtcTicks <= position.OccurredAtUtcTicks))
        {
            // Everything at or after OccurredTo is excluded: start just above it.
            position = new TouchpointCursor(to.UtcTicks, "");
        }

        while (true)
        {
            var chunk = await store.ReadTouchpointsAsync(CustomerId, position, query.OccurredFrom, chunkSize);
            foreach (var touchpoint in chunk)
            {
                if (!query.Matches(touchpoint))
                {
                    continue;
                }

                if (page.Count == pageSize)
                {
                    return new TouchpointPage(page, TouchpointCursor.Of(page[^1]));
                }

                page.Add(touchpoint);
            }

            if (chunk.Count < chunkSize)
            {
                return new TouchpointPage(page, null);
            }

            position = TouchpointCursor.Of(chunk[^1]);
        }
    }

    public Task<CustomerView?> WaitForChangeAsync(long knownVersion, long knownScoreRevision, TimeSpan maxWait, CancellationToken cancellationToken = default) =>
        WaitForChangeAsync(knownVersion, knownScoreRevision, maxWait, int.MaxValue, cancellationToken);

    public async Task<CustomerView?> WaitForChangeAsync(long knownVersion, long knownScoreRevision, TimeSpan maxWait, int recentTouchpoints, CancellationToken cancellationToken = default)
    {
        // This call interleaves with every other, so it must not read the store again itself:
        // a read of its own could run beside another call's and undo what that one applied.
        // The activation is let go instead, so that the watcher's retry meets a new one, which
        // reads the store as it activates; otherwise a customer only ever watched would stay
        // unreadable after the store is back, each retry keeping the activation busy.
        if (_unreadable is { } unreadable)
        {
            DeactivateOnIdle();
            throw Unreadable(unreadable);
        }

        _called = true;
        var known = new MembershipOrder(knownVersion, knownScoreRevision);
        var deadline = clock.GetUtcNow() + maxWait;
        while (true)
        {
            // A watcher that knows a version of the erased history ends; one that started on a
            // new history after the erasure knows a version above it and goes on.
            if (_tombstone is { } erased && knownVersion < erased.Version)
            {
                throw new CustomerErasedException(CustomerId, erased.ErasedAt);
            }

            // Only committed changes are ever applied to _customer, so what a watcher sees is durable.
            if (_customer is { } customer && OrderOf(customer) > known)
            {
                return BuildView(customer, recentTouchpoints);
            }

            var remaining = deadline - clock.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            try
            {
                await (_changed ??= NewSignal()).Task.WaitAsync(remaining, clock, cancellationToken);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Appends <paramref name="entry"/> to the log. Callers await it in a try whose catch calls
    /// <see cref="DropActivation"/>, or through <see cref="AppendOrDropAsync"/>. A touchpoint awaits
    /// it directly: an async method between the two would cost every touchpoint a second
    /// continuation on the grain's scheduler.
    /// </summary>
    private Task<bool> AppendAsync(CustomerLogEntry entry) =>
        _stale
            ? throw Reloading()
            : store.AppendAsync(entry);

    /// <summary>What a call to an activation dropped after a failed or refused append is told.</summary>
    private CustomerStoreUnavailableException Reloading() =>
        new($"Customer '{CustomerId}' is being reloaded from its log; retry.");

    /// <summary><see cref="AppendAsync"/> with its failure handled, where a second continuation does not matter.</summary>
    private async Task<bool> AppendOrDropAsync(CustomerLogEntry entry)
    {
        try
        {
            return await AppendAsync(entry);
        }
        catch
        {
            DropActivation();
            throw;
        }
    }

    /// <summary>
    /// An append failed, so its entry may or may not be committed. Drops this activation so that
    /// the next call starts again from the log, which then answers a retry as a duplicate or
    /// applies it.
    /// </summary>
    private void DropActivation()
    {
        _stale = true;
        DeactivateOnIdle();
    }

    /// <summary>Applies a committed entry and tells segments and watchers.</summary>
    private void Commit(CustomerLogEntry entry)
    {
        var before = _customer?.SegmentContributions();
        var customer = Apply(entry, valueModel.Rules);
        segments.Report(customer.CustomerId, OrderOf(customer), before, customer.SegmentContributions());
        if (customer.Version - _snapshotVersion >= _snapshotEvery)
        {
            SaveSnapshot(customer);
        }

        Signal();
    }

    /// <summary>Wakes the watchers: the customer changed, or was rescored.</summary>
    private void Signal()
    {
        var signal = _changed;
        _changed = null;
        signal?.TrySetResult();
    }

    /// <summary>Applies one log entry exactly as when it was first accepted.</summary>
    private Customer Apply(CustomerLogEntry entry, CustomerRules rules)
    {
        var customer = _customer ??= _tombstone is { } erased
            // Back after an erasure: a new history, numbered on above the erasure's version.
            ? new Customer(entry.CustomerId, erased.Version, entry.RecordedAt, entry.RecordedAt, CustomerProfile.Empty, new CustomerAggregates(), [], [], null)
            : new Customer(entry.CustomerId, entry.RecordedAt);
        if (entry.Touchpoint is { } touchpoint)
        {
            // The log holds each event id once: a logged touchpoint is always new to the customer.
            customer.ApplyNew(touchpoint, entry.Fingerprint, rules, entry.RecordedAt);
        }
        else
        {
            customer.Apply(entry.Profile ?? new ProfilePatch(), rules, entry.RecordedAt);
        }

        return customer;
    }

    private async Task<CustomerRules> RulesForAsync(long modelVersion)
    {
        try
        {
            return await valueModel.RulesAtLeastAsync(modelVersion);
        }
        catch (Exception e)
        {
            // The value model could not be asked for now; score with the model this silo has.
            // The silo's refresher and the next sweep bring the customer up to date.
            LogModelFetchFailed(logger, e, CustomerId, modelVersion);
            return valueModel.Rules;
        }
    }

    private static MembershipOrder OrderOf(Customer customer) => new(customer.Version, customer.Value?.Revision ?? 0);

    private void SaveSnapshot(Customer customer)
    {
        store.SaveSnapshot(new CustomerSnapshot(customer.CustomerId, customer.Version, snapshotSerializer.SerializeToArray(customer), customer.ValueSummary()));
        _snapshotVersion = customer.Version;
        _snapshotHasSummary = true;
    }

    private Exception StaleActivation(long sequence)
    {
        // Another activation of this customer (possible for a moment while a cluster
        // reconfigures) has written this log position. This one is stale: drop it; the
        // caller's retry reaches an activation rebuilt from the log.
        _stale = true;
        DeactivateOnIdle();
        LogStaleActivation(logger, CustomerId, sequence);
        return new CustomerStoreUnavailableException($"Customer '{CustomerId}' changed elsewhere (log entry {sequence} exists); retry.");
    }

    private TouchpointResult Duplicate(Touchpoint touchpoint) =>
        new(touchpoint.EventId, TouchpointStatus.Duplicate, _customer?.Version ?? 0);

    private TouchpointResult Conflict(Touchpoint touchpoint) =>
        new(touchpoint.EventId, TouchpointStatus.Conflict, _customer?.Version ?? 0)
        {
            Reason = $"event '{touchpoint.EventId}' was already recorded for customer '{touchpoint.CustomerId}' with different content",
        };

    private TouchpointResult Erased(Touchpoint touchpoint, CustomerTombstone erased) =>
        new(touchpoint.EventId, TouchpointStatus.Erased, _customer?.Version ?? erased.Version)
        {
            Reason = $"is at or before {erased.ErasedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffffffZ}, when customer '{touchpoint.CustomerId}' was erased; "
                + "touchpoints of the erased history are not recorded again",
        };

    private CustomerView BuildView(Customer customer, int recentTouchpoints = int.MaxValue) => new(
        customer.CustomerId,
        customer.Version,
        customer.CreatedAt,
        customer.UpdatedAt,
        customer.Profile,
        AggregateFigures.From(customer.Aggregates, _reportingCurrency),
        customer.Value,
        customer.SegmentContributions().Select(c => c.SegmentId).ToArray(),
        customer.RecentTouchpoints.Newest(recentTouchpoints))
    {
        // Computed when a view is built rather than on every touchpoint: T moves with the clock.
        ValueInputs = ValueModelInputs.Of(customer.Aggregates, clock.GetUtcNow()),
    };

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer {CustomerId}: value model v{Version} could not be fetched; scored with this silo's model")]
    private static partial void LogModelFetchFailed(ILogger logger, Exception exception, string customerId, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer {CustomerId} was erased, but not every segment could be told; a retry of the erasure tells them")]
    private static partial void LogSegmentsNotTold(ILogger logger, Exception exception, string customerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Customer {CustomerId} erased: {Entries} log entries removed (erased already: {AlreadyErased})")]
    private static partial void LogErased(ILogger logger, string customerId, long entries, bool alreadyErased);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Customer {CustomerId}: log entry {Sequence} was written by another activation; this one is dropped")]
    private static partial void LogStaleActivation(ILogger logger, string customerId, long sequence);
}

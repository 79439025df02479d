using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using Customer360.Domain.Validation;
using Customer360.Grains.Configuration;
using Customer360.Grains.Segments;
using Microsoft.Extensions.Options;

namespace Customer360.Grains.Customers;

/// <summary>
/// The live customer. Every change is persisted before it is acknowledged; segment figures
/// follow through the silo's <see cref="SegmentUpdateBuffer"/>.
/// </summary>
public sealed class CustomerGrain(
    [PersistentState(StorageNames.CustomerState, StorageNames.Store)] IPersistentState<CustomerGrainState> state,
    IOptions<Customer360Options> options,
    SegmentUpdateBuffer segments,
    TimeProvider clock) : Grain, ICustomerGrain
{
    private readonly CustomerRules _rules = options.Value.ToRules();
    private readonly string _reportingCurrency = options.Value.ReportingCurrency;
    private readonly ProfileValidator _profileRules = new(options.Value.Limits);
    private TaskCompletionSource _changed = NewSignal();

    // Version of the last persisted change. Watchers run interleaved with writes and must only
    // ever see persisted state.
    private long _committedVersion;

    private string CustomerId => CustomerKeys.FromGrainKey(this.GetPrimaryKeyString());

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Customer is { } customer)
        {
            _committedVersion = customer.Version;

            // Re-state this customer's memberships in every segment. Updates are versioned, so
            // this is harmless when segments are current and mends them after a lost flush.
            segments.ReportFull(customer.CustomerId, customer.Version, customer.SegmentContributions());
        }

        return Task.CompletedTask;
    }

    public async Task<TouchpointResult> RecordTouchpointAsync(Touchpoint touchpoint)
    {
        if (!string.Equals(touchpoint.CustomerId, CustomerId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Touchpoint for '{touchpoint.CustomerId}' sent to customer '{CustomerId}'.", nameof(touchpoint));
        }

        var customer = state.State.Customer ??= new Customer(CustomerId, clock.GetUtcNow());
        if (customer.HasApplied(touchpoint.EventId))
        {
            return new TouchpointResult(touchpoint.EventId, TouchpointStatus.Duplicate, customer.Version);
        }

        var before = customer.Exists ? customer.SegmentContributions() : null;
        customer.Apply(touchpoint, _rules, clock.GetUtcNow());
        await PersistAsync(customer, before);
        return new TouchpointResult(touchpoint.EventId, TouchpointStatus.Accepted, customer.Version);
    }

    public async Task<UpsertProfileResult> UpsertProfileAsync(ProfilePatch patch)
    {
        var merged = (state.State.Customer?.Profile ?? CustomerProfile.Empty).With(patch);
        if (_profileRules.CheckResult(merged) is { } error)
        {
            return new UpsertProfileResult(null, error.Field, error.Message);
        }

        var customer = state.State.Customer ??= new Customer(CustomerId, clock.GetUtcNow());
        var before = customer.Exists ? customer.SegmentContributions() : null;
        customer.Apply(patch, _rules, clock.GetUtcNow());
        await PersistAsync(customer, before);
        return new UpsertProfileResult(BuildView(customer), null, null);
    }

    public Task<CustomerView?> GetViewAsync() =>
        Task.FromResult(state.State.Customer is { Exists: true } customer ? BuildView(customer) : null);

    public Task<TouchpointPage?> ListTouchpointsAsync(TouchpointQuery query)
    {
        if (state.State.Customer is not { Exists: true } customer)
        {
            return Task.FromResult<TouchpointPage?>(null);
        }

        // Pages through the recent window the grain holds.
        var recent = customer.RecentTouchpoints;
        var pageSize = Math.Clamp(query.PageSize, 1, 500);
        var page = new List<Touchpoint>(Math.Min(pageSize, recent.Count));
        var more = false;
        foreach (var touchpoint in recent)
        {
            if ((query.After is not null && !query.After.IsBefore(touchpoint)) || !query.Matches(touchpoint))
            {
                continue;
            }

            if (page.Count == pageSize)
            {
                more = true;
                break;
            }

            page.Add(touchpoint);
        }

        var next = more ? TouchpointCursor.Of(page[^1]) : null;
        return Task.FromResult<TouchpointPage?>(new TouchpointPage(page, next));
    }

    public async Task<CustomerView?> WaitForChangeAsync(long knownVersion, TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        var deadline = clock.GetUtcNow() + maxWait;
        while (true)
        {
            if (_committedVersion > knownVersion && state.State.Customer is { } customer && customer.Version == _committedVersion)
            {
                return BuildView(customer);
            }

            var remaining = deadline - clock.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            try
            {
                await _changed.Task.WaitAsync(remaining, clock, cancellationToken);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                return null;
            }
        }
    }

    private async Task PersistAsync(Customer customer, IReadOnlyList<Domain.Segments.SegmentContribution>? before)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The change is in memory but not stored. Drop this activation so the next call
            // starts again from what storage holds, and let the caller retry.
            DeactivateOnIdle();
            throw;
        }

        _committedVersion = customer.Version;
        segments.Report(customer.CustomerId, customer.Version, before, customer.SegmentContributions());
        var signal = _changed;
        _changed = NewSignal();
        signal.TrySetResult();
    }

    private CustomerView BuildView(Customer customer) => new(
        customer.CustomerId,
        customer.Version,
        customer.CreatedAt,
        customer.UpdatedAt,
        customer.Profile,
        AggregateFigures.From(customer.Aggregates, _reportingCurrency),
        customer.Value,
        customer.SegmentContributions().Select(c => c.SegmentId).ToArray(),
        customer.RecentTouchpoints.ToArray());

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

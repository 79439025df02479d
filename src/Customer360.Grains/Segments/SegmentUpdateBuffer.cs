using Customer360.Contracts.Segments;
using Customer360.Domain.Segments;
using Customer360.Grains.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Customer360.Grains.Segments;

/// <summary>
/// Collects segment membership updates from every customer on this silo and sends each segment
/// one batch per flush interval, so thousands of busy customers never call one segment grain
/// per touchpoint. Only the newest update per (segment, customer) is kept between flushes.
/// A failed batch is kept and retried at the next flush. The last flush runs when the silo stops.
/// </summary>
public sealed partial class SegmentUpdateBuffer(
    IGrainFactory grains,
    IOptions<Customer360Options> options,
    ILogger<SegmentUpdateBuffer> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly Lock _lock = new();
    private readonly TimeSpan _interval = options.Value.SegmentFlushInterval;
    private Dictionary<string, Dictionary<string, SegmentUpdate>> _pending = new(StringComparer.Ordinal);

    // Each segment's map from its last batch, emptied once sent, for its next batch to fill. A
    // busy segment's map holds thousands of updates, and was allocated anew at every flush. A map
    // that held more than SpareLimit (a sweep's burst, a backlog while a segment was unreachable)
    // is let go instead, so that a burst's size is not kept for good.
    private readonly Dictionary<string, Dictionary<string, SegmentUpdate>> _spare = new(StringComparer.Ordinal);
    private const int SpareLimit = 16_384;
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private CancellationTokenSource? _stop;
    private Task? _loop;

    /// <summary>Updates not yet delivered to their segments.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pending.Values.Sum(p => p.Count);
            }
        }
    }

    /// <summary>
    /// Reports a change of one customer: it joins (or stays in) the segments of
    /// <paramref name="after"/> and leaves those of <paramref name="before"/> it is no longer in.
    /// </summary>
    public void Report(string customerId, MembershipOrder order, IReadOnlyList<SegmentContribution>? before, IReadOnlyList<SegmentContribution> after)
    {
        var (version, revision) = order;
        lock (_lock)
        {
            foreach (var c in after)
            {
                Add(c.SegmentId, new SegmentUpdate(customerId, version, true, c.NetSpend, c.ValueScore, ScoreRevision: revision));
            }

            if (before is null)
            {
                return;
            }

            foreach (var old in before)
            {
                if (!Contains(after, old.SegmentId))
                {
                    Add(old.SegmentId, new SegmentUpdate(customerId, version, false, 0m, 0m, WasMember: true, ScoreRevision: revision));
                }
            }
        }
    }

    /// <summary>
    /// Reports a customer's complete membership: member of the segments in
    /// <paramref name="current"/>, not a member of any other segment.
    /// </summary>
    public void ReportFull(string customerId, MembershipOrder order, IReadOnlyList<SegmentContribution> current)
    {
        lock (_lock)
        {
            AddFull(customerId, order, current);
        }
    }

    /// <summary>
    /// <see cref="ReportFull(string, MembershipOrder, IReadOnlyList{SegmentContribution})"/> for
    /// many customers at once, under one lock: the re-scoring sweep's pages.
    /// </summary>
    public void ReportFull(IReadOnlyList<FullMembership> customers)
    {
        lock (_lock)
        {
            foreach (var (customerId, order, current) in customers)
            {
                AddFull(customerId, order, current);
            }
        }
    }

    // Caller holds the lock.
    private void AddFull(string customerId, MembershipOrder order, IReadOnlyList<SegmentContribution> current)
    {
        var (version, revision) = order;
        foreach (var segmentId in SegmentId.All)
        {
            Add(segmentId, Find(current, segmentId) is { } member
                ? new SegmentUpdate(customerId, version, true, member.NetSpend, member.ValueScore, ScoreRevision: revision)
                : new SegmentUpdate(customerId, version, false, 0m, 0m, ScoreRevision: revision));
        }
    }

    /// <summary>
    /// Reports an erased customer: gone from every segment as of <paramref name="order"/>, the
    /// erasure's, with the leave remembered (<see cref="Erasure"/>).
    /// </summary>
    public void ReportErased(string customerId, MembershipOrder order)
    {
        var leave = Erasure(customerId, order);
        lock (_lock)
        {
            foreach (var segmentId in SegmentId.All)
            {
                Add(segmentId, leave);
            }
        }
    }

    /// <summary>
    /// The update an erased customer sends every segment: not a member, and marked as having
    /// been one, so that each segment remembers the leave (the id and the order, no figures)
    /// and a join of the erased history still buffered on another silo cannot bring it back.
    /// </summary>
    public static SegmentUpdate Erasure(string customerId, MembershipOrder order) =>
        new(customerId, order.CustomerVersion, false, 0m, 0m, WasMember: true, ScoreRevision: order.ScoreRevision);

    /// <summary>Sends everything pending now; false when some segment could not be reached (its updates stay pending).</summary>
    public async Task<bool> FlushAsync()
    {
        await _flushing.WaitAsync();
        try
        {
            Dictionary<string, Dictionary<string, SegmentUpdate>> batch;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    return true;
                }

                batch = _pending;
                _pending = new(StringComparer.Ordinal);
            }

            var delivered = await Task.WhenAll(batch.Select(kv => SendAsync(kv.Key, kv.Value)));
            return delivered.All(d => d);
        }
        finally
        {
            _flushing.Release();
        }
    }

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SegmentUpdateBuffer), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _stop = new CancellationTokenSource();
        _loop = RunAsync(_stop.Token);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null || _loop is null)
        {
            return;
        }

        await _stop.CancelAsync();
        await _loop;

        // The silo is still active at this stage: deliver what is left before grains deactivate.
        for (var attempt = 0; attempt < 3 && PendingCount > 0 && !cancellationToken.IsCancellationRequested; attempt++)
        {
            await FlushAsync();
        }

        if (PendingCount > 0)
        {
            LogUndelivered(PendingCount);
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await FlushAsync();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> SendAsync(string segmentId, Dictionary<string, SegmentUpdate> updates)
    {
        var delivered = false;
        try
        {
            await grains.GetGrain<ISegmentGrain>(segmentId).ApplyAsync(updates.Values.ToArray());
            delivered = true;
        }
        catch (Exception ex)
        {
            LogFlushFailed(ex, segmentId, updates.Count);
        }

        lock (_lock)
        {
            if (!delivered)
            {
                foreach (var update in updates.Values)
                {
                    Add(segmentId, update);
                }
            }

            if (updates.Count <= SpareLimit)
            {
                updates.Clear();
                _spare[segmentId] = updates;
            }
        }

        return delivered;
    }

    private static SegmentContribution? Find(IReadOnlyList<SegmentContribution> contributions, string segmentId)
    {
        for (var i = 0; i < contributions.Count; i++)
        {
            if (string.Equals(contributions[i].SegmentId, segmentId, StringComparison.Ordinal))
            {
                return contributions[i];
            }
        }

        return null;
    }

    private static bool Contains(IReadOnlyList<SegmentContribution> contributions, string segmentId)
    {
        for (var i = 0; i < contributions.Count; i++)
        {
            if (string.Equals(contributions[i].SegmentId, segmentId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // Keeps only the newest update per customer and segment; caller holds the lock.
    private void Add(string segmentId, SegmentUpdate update)
    {
        if (!_pending.TryGetValue(segmentId, out var bySegment))
        {
            if (!_spare.Remove(segmentId, out bySegment))
            {
                bySegment = new Dictionary<string, SegmentUpdate>(StringComparer.Ordinal);
            }

            _pending[segmentId] = bySegment;
        }

        if (!bySegment.TryGetValue(update.CustomerId, out var held) || held.Order < update.Order)
        {
            bySegment[update.CustomerId] = update;
        }
        else if (held.Order == update.Order)
        {
            // Same version and score, same membership; a re-statement must not lose the fact
            // that the customer left this segment at that point.
            bySegment[update.CustomerId] = update with { WasMember = update.WasMember || held.WasMember };
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Segment {SegmentId}: {Count} updates not delivered, retrying at the next flush")]
    private partial void LogFlushFailed(Exception ex, string segmentId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} segment updates were not delivered before shutdown; the customers re-state them when next activated")]
    private partial void LogUndelivered(int count);
}

/// <summary>A customer's complete segment membership, as <see cref="SegmentUpdateBuffer.ReportFull(IReadOnlyList{FullMembership})"/> takes it.</summary>
public readonly record struct FullMembership(string CustomerId, MembershipOrder Order, IReadOnlyList<SegmentContribution> Current);

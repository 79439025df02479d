using Customer360.Contracts.Segments;
using Customer360.Grains.Configuration;
using Customer360.Grains.Storage;
using Microsoft.Extensions.Options;

namespace Customer360.Grains.Segments;

/// <summary>
/// One segment's live figures. Totals are kept in decimals so adding and removing members is
/// exact: at rest the figures equal the sums over the members, to the cent.
/// </summary>
/// <remarks>
/// Members live in the <see cref="ISegmentStore"/>, spread over buckets by
/// <see cref="SegmentBuckets"/>. The grain remembers which buckets changed since its last
/// write and writes only those, each whole, with the header: a write costs what changed, and a
/// sweep that changes every member costs one row per bucket, not one per member. Opening the
/// segment takes it for this activation; should another activation open it later, this one's
/// writes fail and it deactivates. Segments written by an earlier version (member rows, or
/// every member in Orleans grain state) are moved to buckets on first activation.
/// </remarks>
public sealed class SegmentGrain(
    [PersistentState(StorageNames.SegmentState, StorageNames.Store)] IPersistentState<SegmentGrainState> earlierState,
    ISegmentStore store,
    IOptions<Customer360Options> options,
    TimeProvider clock) : Grain, ISegmentGrain
{
    public const int MaxTop = 100;

    // Each customer's latest known membership, by customer id. Entries with IsMember false
    // remember the order at which a customer left, so a late, older update cannot bring it back.
    private readonly Dictionary<string, MemberEntry> _members = new(StringComparer.Ordinal);

    // When each entry with IsMember false was recorded, oldest first: it is forgotten (and its
    // bucket written without it) SegmentLateUpdateWindow later, by when no older update of the
    // customer is still on its way. Otherwise every customer that ever left would be kept for
    // good. An item whose customer has had a newer update since is passed over.
    private readonly Queue<Recorded> _leaves = new();

    // Customers stated not to be members (by a full re-statement, which names every segment)
    // that this segment did not know, with the order of that statement, and when each was
    // stated, oldest first: kept SegmentLateUpdateWindow, and SegmentNonMemberLimit at most.
    // Only in memory: see ApplyAsync.
    private readonly Dictionary<string, MembershipOrder> _absent = new(StringComparer.Ordinal);
    private readonly Queue<Recorded> _absentSince = new();
    private readonly TimeSpan _lateWindow = options.Value.EffectiveSegmentLateUpdateWindow;
    private readonly int _absentLimit = options.Value.SegmentNonMemberLimit;

    // The most items the two queues have held since they were last trimmed: a sweep's flood
    // of re-statements is not kept at its size once it is forgotten.
    private int _queuedPeak;
    private const int TrimAbove = 4096;

    // The customer ids of each bucket, and the buckets changed since the last successful write.
    private List<string>[] _buckets = [];
    private readonly HashSet<int> _unwritten = [];

    // Set when every bucket must be written, and whatever else the store holds dropped: after
    // the bucket count grew, or when the segment was stored by an earlier version.
    private bool _rewriteAll;
    private long _writer;
    private bool _superseded;

    // Members ordered by value score, highest first, then by customer id.
    private readonly SortedSet<(decimal Score, string CustomerId)> _ranking = new(RankingOrder.Instance);
    private long _count;
    private decimal _totalNetSpend;
    private decimal _totalScore;
    private long _version;
    private DateTimeOffset _updatedAt;
    private TaskCompletionSource _changed = NewSignal();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stored = await store.OpenSegmentAsync(this.GetPrimaryKeyString());
        _writer = stored.Writer;
        var members = stored.Members;
        var header = stored.Header;
        var earlier = earlierState.State.Members.Count > 0;
        if (earlier && stored.IsEmpty)
        {
            (header, members) = SegmentStateUpgrade.Members(earlierState.State);
        }

        if (!stored.IsEmpty || earlier)
        {
            _version = header.Version;
            _updatedAt = header.UpdatedAt;
        }

        // An activation that was lost may have given out versions above the one last written;
        // it gave them out earlier than now, so the clock puts this one above them all.
        _version = Math.Max(_version, ClockVersion(clock.GetUtcNow()));

        // The store does not keep when a leave was recorded: one loaded is kept a full window
        // from now, which covers whatever was on its way when it was recorded.
        var loadedAt = clock.GetUtcNow().UtcTicks;
        foreach (var (customerId, entry) in members)
        {
            _members[customerId] = entry;
            if (entry.IsMember)
            {
                AddContribution(customerId, entry);
            }
            else
            {
                _leaves.Enqueue(new Recorded(loadedAt, customerId, entry.Order));
            }
        }

        var bucketCount = SegmentBuckets.CountFor(_members.Count, stored.BucketCount);
        Rebucket(bucketCount);
        _rewriteAll = _members.Count > 0 && (bucketCount != stored.BucketCount || stored.HasEarlierRows);
        if (earlier)
        {
            // Moved first, cleared after: after a crash between the two, the next activation
            // finds the segment stored and only clears the grain state.
            await PersistIfDirtyAsync(cancellationToken);
            await earlierState.ClearStateAsync(cancellationToken);
        }

        this.RegisterGrainTimer(PersistIfDirtyAsync, new GrainTimerCreationOptions
        {
            DueTime = options.Value.SegmentPersistInterval,
            Period = options.Value.SegmentPersistInterval,
        });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!_superseded)
        {
            await PersistIfDirtyAsync(cancellationToken);
        }
    }

    public Task ApplyAsync(IReadOnlyList<SegmentUpdate> updates)
    {
        var changed = false;
        var now = clock.GetUtcNow();
        ForgetOld(now);
        foreach (var update in updates)
        {
            var known = _members.TryGetValue(update.CustomerId, out var held);
            if (known && held.Order >= update.Order)
            {
                continue;
            }

            if (!known && _absent.TryGetValue(update.CustomerId, out var stated))
            {
                if (stated >= update.Order)
                {
                    continue;
                }

                _absent.Remove(update.CustomerId);
            }

            if (!known && !update.IsMember)
            {
                if (update.WasMember)
                {
                    // A leave that overtook its join (still buffered on the silo the customer
                    // was on). Remember it, or the late join would make the customer a member.
                    var leave = new MemberEntry(update.CustomerVersion, false, 0m, 0m, update.ScoreRevision);
                    Set(update.CustomerId, leave, known);
                    _leaves.Enqueue(new Recorded(now.UtcTicks, update.CustomerId, leave.Order));
                }
                else
                {
                    // Not a member, in a full re-statement from a silo that does not know
                    // whether the customer ever was: a silo the customer moved to, the
                    // re-scoring sweep, recovery. A join the customer made before, on the silo
                    // it left, may still be buffered there; remembered, the statement keeps that
                    // late join out. Never a member here, it changes no figure and is not stored:
                    // every full re-statement of every customer reaches every segment. So it is
                    // kept only in memory, for SegmentLateUpdateWindow, and SegmentNonMemberLimit
                    // such statements at most. Not covered: a join arriving later than that (or,
                    // under a re-statement of more customers than the limit within the window,
                    // after the limit's worth of later ones), or after this segment was
                    // activated anew (its silo stopped or died; after a silo loss, recovery
                    // re-states the customers changed lately, which mends it). Such a customer
                    // counts here too until it is next re-stated.
                    RememberAbsent(update.CustomerId, update.Order, now);
                }

                continue;
            }

            var entry = new MemberEntry(update.CustomerVersion, update.IsMember, update.NetSpend, update.ValueScore, update.ScoreRevision);
            if (known && held.IsMember && entry.IsMember && held.ValueScore == entry.ValueScore && held.ValueScore.Scale == entry.ValueScore.Scale)
            {
                // Still a member at the very same score (a contact, a profile change): the
                // ranking is as it was; only the net spend may have moved. The newer order is
                // remembered either way, but the figures change only if the net spend did.
                _totalNetSpend += entry.NetSpend - held.NetSpend;
                Set(update.CustomerId, entry, known);
                changed |= entry.NetSpend != held.NetSpend || entry.NetSpend.Scale != held.NetSpend.Scale;
                continue;
            }

            if (known && held.IsMember)
            {
                RemoveContribution(update.CustomerId, held);
            }

            Set(update.CustomerId, entry, known);
            if (entry.IsMember)
            {
                AddContribution(update.CustomerId, entry);
            }
            else
            {
                _leaves.Enqueue(new Recorded(now.UtcTicks, update.CustomerId, entry.Order));
            }

            // A remembered leave stated again (a re-statement of a customer that left) changes
            // no figure: watchers are not told, and the version stays.
            changed |= entry.IsMember || (known && held.IsMember);
        }

        if (changed)
        {
            // To the microsecond, what every store keeps: the time reads back as it was.
            _version = Math.Max(_version + 1, ClockVersion(now));
            _updatedAt = now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerMicrosecond));
            var signal = _changed;
            _changed = NewSignal();
            signal.TrySetResult();
        }

        return Task.CompletedTask;
    }

    public Task PersistAsync() => PersistIfDirtyAsync(CancellationToken.None);

    public Task<SegmentFigures> GetAsync(int top) => Task.FromResult(Figures(top));

    public async Task<SegmentFigures?> WaitForChangeAsync(long knownVersion, int top, TimeSpan maxWait, CancellationToken cancellationToken = default)
    {
        if (_version > knownVersion)
        {
            return Figures(top);
        }

        try
        {
            await _changed.Task.WaitAsync(maxWait, clock, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return null;
        }

        return Figures(top);
    }

    private SegmentFigures Figures(int top)
    {
        var take = Math.Clamp(top, 0, MaxTop);
        var topMembers = _ranking.Take(take)
            .Select(r => new SegmentMember(r.CustomerId, r.Score, _members[r.CustomerId].NetSpend))
            .ToArray();
        var mean = _count == 0 ? 0m : decimal.Round(_totalScore / _count, 2, MidpointRounding.ToEven);
        return new SegmentFigures(
            this.GetPrimaryKeyString(), _count, _totalNetSpend, _totalScore, mean, topMembers,
            _version, _updatedAt);
    }

    private void AddContribution(string customerId, MemberEntry entry)
    {
        _count++;
        _totalNetSpend += entry.NetSpend;
        _totalScore += entry.ValueScore;
        _ranking.Add((entry.ValueScore, customerId));
    }

    private void RemoveContribution(string customerId, MemberEntry entry)
    {
        _count--;
        _totalNetSpend -= entry.NetSpend;
        _totalScore -= entry.ValueScore;
        _ranking.Remove((entry.ValueScore, customerId));
    }

    // Records a customer's entry; a customer new to the segment joins its bucket, and the
    // bucket count doubles when the buckets have grown too large on average.
    private void Set(string customerId, MemberEntry entry, bool known)
    {
        _members[customerId] = entry;
        var bucket = SegmentBuckets.Of(customerId, _buckets.Length);
        if (!known)
        {
            _buckets[bucket].Add(customerId);
            if (_members.Count > (long)_buckets.Length * SegmentBuckets.MaxAverageMembers && _buckets.Length < SegmentBuckets.MaxCount)
            {
                Rebucket(_buckets.Length * 2);
                _rewriteAll = true;
                return;
            }
        }

        _unwritten.Add(bucket);
    }

    // A statement that a customer the segment does not know is not a member; the oldest
    // beyond the limit are forgotten.
    private void RememberAbsent(string customerId, MembershipOrder order, DateTimeOffset now)
    {
        _absent[customerId] = order;
        _absentSince.Enqueue(new Recorded(now.UtcTicks, customerId, order));
        while (_absentSince.Count > _absentLimit)
        {
            ForgetAbsent(_absentSince.Dequeue());
        }

        _queuedPeak = Math.Max(_queuedPeak, _absentSince.Count + _leaves.Count);
    }

    private void ForgetAbsent(Recorded recorded)
    {
        if (_absent.TryGetValue(recorded.CustomerId, out var order) && order == recorded.Order)
        {
            _absent.Remove(recorded.CustomerId);
        }
    }

    // Forgets the non-members recorded more than SegmentLateUpdateWindow before now. A leave
    // forgotten leaves its bucket, which is written without it, so a reload does not bring it
    // back. Changes no figure.
    private void ForgetOld(DateTimeOffset now)
    {
        var before = now.UtcTicks - _lateWindow.Ticks;
        while (_leaves.TryPeek(out var leave) && leave.At <= before)
        {
            _leaves.Dequeue();
            if (_members.TryGetValue(leave.CustomerId, out var entry) && !entry.IsMember && entry.Order == leave.Order)
            {
                _members.Remove(leave.CustomerId);
                var bucket = SegmentBuckets.Of(leave.CustomerId, _buckets.Length);
                _buckets[bucket].Remove(leave.CustomerId);
                _unwritten.Add(bucket);
            }
        }

        while (_absentSince.TryPeek(out var absent) && absent.At <= before)
        {
            ForgetAbsent(_absentSince.Dequeue());
        }

        var queued = _absentSince.Count + _leaves.Count;
        _queuedPeak = Math.Max(_queuedPeak, queued);
        if (_queuedPeak > TrimAbove && queued < _queuedPeak / 4)
        {
            _absent.TrimExcess();
            _absentSince.TrimExcess();
            _leaves.TrimExcess();
            _queuedPeak = queued;
        }
    }

    private void Rebucket(int count)
    {
        _buckets = new List<string>[count];
        for (var i = 0; i < count; i++)
        {
            _buckets[i] = [];
        }

        foreach (var customerId in _members.Keys)
        {
            _buckets[SegmentBuckets.Of(customerId, count)].Add(customerId);
        }
    }

    private async Task PersistIfDirtyAsync(CancellationToken cancellationToken)
    {
        if (_superseded)
        {
            // Never a quiet success: segment checkpoints count a persist as "stored".
            throw new SegmentSupersededException(this.GetPrimaryKeyString(), _writer);
        }

        ForgetOld(clock.GetUtcNow());
        if (_unwritten.Count == 0 && !_rewriteAll)
        {
            return;
        }

        // Taken before the write: should the write fail, the buckets it carried are marked
        // again and written, with whatever they hold by then, next time.
        var rewriteAll = _rewriteAll;
        int[] indexes = rewriteAll
            ? [.. Enumerable.Range(0, _buckets.Length).Where(i => _buckets[i].Count > 0)]
            : [.. _unwritten];
        var buckets = new List<SegmentBucket>(indexes.Length);
        foreach (var index in indexes)
        {
            buckets.Add(new SegmentBucket(index, [.. _buckets[index].Select(id => new SegmentMemberRow(id, _members[id]))]));
        }

        _unwritten.Clear();
        _rewriteAll = false;
        try
        {
            await store.WriteSegmentAsync(
                this.GetPrimaryKeyString(),
                new SegmentWrite(_writer, new SegmentHeader(_version, _updatedAt), _buckets.Length, buckets, rewriteAll));
        }
        catch (SegmentSupersededException)
        {
            // Another activation of this segment opened it since: it has the stored figures
            // and whatever reaches it from now on. This copy stops writing and goes away.
            _superseded = true;
            DeactivateOnIdle();
            throw;
        }
        catch
        {
            _rewriteAll |= rewriteAll;
            _unwritten.UnionWith(indexes);
            throw;
        }
    }

    /// <summary>
    /// The version a change made at <paramref name="now"/> has at least: the microseconds since
    /// the Unix epoch. A segment's versions thus stay above every version it gave out before,
    /// also in another activation on another silo, unless that silo's clock was ahead by more
    /// than the time the move took (failure detection alone takes seconds).
    /// </summary>
    private static long ClockVersion(DateTimeOffset now) =>
        (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    /// <summary>A non-member recorded at <see cref="At"/> (UTC ticks) with the order of its update.</summary>
    private readonly record struct Recorded(long At, string CustomerId, MembershipOrder Order);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class RankingOrder : IComparer<(decimal Score, string CustomerId)>
    {
        public static readonly RankingOrder Instance = new();

        public int Compare((decimal Score, string CustomerId) x, (decimal Score, string CustomerId) y)
        {
            var byScore = y.Score.CompareTo(x.Score);
            return byScore != 0 ? byScore : string.CompareOrdinal(x.CustomerId, y.CustomerId);
        }
    }
}

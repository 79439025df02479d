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
/// Members live in the <see cref="ISegmentStore"/>, one row each. The grain remembers which
/// members changed since its last write and writes only those (with the header), so a write
/// costs what changed, not what the segment holds. Segments written by an earlier version kept
/// every member in Orleans grain state; the first activation moves them to the store (see
/// <see cref="SegmentGrainState"/>).
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

    // Customers whose entry changed since the last successful write.
    private readonly HashSet<string> _unwritten = new(StringComparer.Ordinal);

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
        var segmentId = this.GetPrimaryKeyString();
        var stored = await store.ReadSegmentAsync(segmentId);
        if (earlierState.State.Members.Count > 0)
        {
            stored ??= await SegmentStateUpgrade.MoveToStoreAsync(segmentId, earlierState.State, store);
            await earlierState.ClearStateAsync(cancellationToken);
        }

        if (stored is not null)
        {
            _version = stored.Header.Version;
            _updatedAt = stored.Header.UpdatedAt;
            foreach (var (customerId, entry) in stored.Members)
            {
                _members[customerId] = entry;
                if (entry.IsMember)
                {
                    AddContribution(customerId, entry);
                }
            }
        }

        this.RegisterGrainTimer(PersistIfDirtyAsync, new GrainTimerCreationOptions
        {
            DueTime = options.Value.SegmentPersistInterval,
            Period = options.Value.SegmentPersistInterval,
        });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await PersistIfDirtyAsync(cancellationToken);

    public Task ApplyAsync(IReadOnlyList<SegmentUpdate> updates)
    {
        var changed = false;
        foreach (var update in updates)
        {
            var known = _members.TryGetValue(update.CustomerId, out var held);
            if (known && held.Order >= update.Order)
            {
                continue;
            }

            if (!known && !update.IsMember)
            {
                if (update.WasMember)
                {
                    // A leave that overtook its join (still buffered on the silo the customer
                    // was on). Remember it, or the late join would make the customer a member.
                    _members[update.CustomerId] = new MemberEntry(update.CustomerVersion, false, 0m, 0m, update.ScoreRevision);
                    _unwritten.Add(update.CustomerId);
                }

                // Otherwise never a member here: nothing to take away, nothing to remember.
                continue;
            }

            if (known && held.IsMember)
            {
                RemoveContribution(update.CustomerId, held);
            }

            var entry = new MemberEntry(update.CustomerVersion, update.IsMember, update.NetSpend, update.ValueScore, update.ScoreRevision);
            _members[update.CustomerId] = entry;
            _unwritten.Add(update.CustomerId);
            if (entry.IsMember)
            {
                AddContribution(update.CustomerId, entry);
            }

            changed = true;
        }

        if (changed)
        {
            _version++;

            // To the microsecond, what every store keeps: the time reads back as it was.
            var now = clock.GetUtcNow();
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

    private async Task PersistIfDirtyAsync(CancellationToken cancellationToken)
    {
        if (_unwritten.Count == 0)
        {
            return;
        }

        // Taken before the write: a change applied while the write is in flight marks its
        // customer again and is written next time. If the write fails, every customer it
        // carried is marked again, with whatever entry it has by then.
        var rows = new List<SegmentMemberRow>(_unwritten.Count);
        foreach (var customerId in _unwritten)
        {
            rows.Add(new SegmentMemberRow(customerId, _members[customerId]));
        }

        _unwritten.Clear();
        try
        {
            await store.WriteSegmentAsync(this.GetPrimaryKeyString(), new SegmentHeader(_version, _updatedAt), rows);
        }
        catch
        {
            foreach (var row in rows)
            {
                _unwritten.Add(row.CustomerId);
            }

            throw;
        }
    }

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

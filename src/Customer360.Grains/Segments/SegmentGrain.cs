using Customer360.Contracts.Segments;
using Customer360.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace Customer360.Grains.Segments;

/// <summary>
/// One segment's live figures. Totals are kept in decimals so adding and removing members is
/// exact: at rest the figures equal the sums over the members, to the cent.
/// </summary>
public sealed class SegmentGrain(
    [PersistentState(StorageNames.SegmentState, StorageNames.Store)] IPersistentState<SegmentGrainState> state,
    IOptions<Customer360Options> options,
    TimeProvider clock) : Grain, ISegmentGrain
{
    public const int MaxTop = 100;

    // Members ordered by value score, highest first, then by customer id.
    private readonly SortedSet<(decimal Score, string CustomerId)> _ranking = new(RankingOrder.Instance);
    private long _count;
    private decimal _totalNetSpend;
    private decimal _totalScore;
    private bool _dirty;
    private TaskCompletionSource _changed = NewSignal();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var (customerId, entry) in state.State.Members)
        {
            if (entry.IsMember)
            {
                AddContribution(customerId, entry);
            }
        }

        this.RegisterGrainTimer(PersistIfDirtyAsync, new GrainTimerCreationOptions
        {
            DueTime = options.Value.SegmentPersistInterval,
            Period = options.Value.SegmentPersistInterval,
        });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await PersistIfDirtyAsync(cancellationToken);

    public Task ApplyAsync(IReadOnlyList<SegmentUpdate> updates)
    {
        var changed = false;
        foreach (var update in updates)
        {
            var members = state.State.Members;
            members.TryGetValue(update.CustomerId, out var held);
            var known = members.ContainsKey(update.CustomerId);
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
                    members[update.CustomerId] = new MemberEntry(update.CustomerVersion, false, 0m, 0m, update.ScoreRevision);
                    _dirty = true;
                }

                // Otherwise never a member here: nothing to take away, nothing to remember.
                continue;
            }

            if (known && held.IsMember)
            {
                RemoveContribution(update.CustomerId, held);
            }

            var entry = new MemberEntry(update.CustomerVersion, update.IsMember, update.NetSpend, update.ValueScore, update.ScoreRevision);
            members[update.CustomerId] = entry;
            if (entry.IsMember)
            {
                AddContribution(update.CustomerId, entry);
            }

            changed = true;
        }

        if (changed)
        {
            state.State.Version++;
            state.State.UpdatedAt = clock.GetUtcNow();
            _dirty = true;
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
        if (state.State.Version > knownVersion)
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
        var members = state.State.Members;
        var topMembers = _ranking.Take(take)
            .Select(r => new SegmentMember(r.CustomerId, r.Score, members[r.CustomerId].NetSpend))
            .ToArray();
        var mean = _count == 0 ? 0m : decimal.Round(_totalScore / _count, 2, MidpointRounding.ToEven);
        return new SegmentFigures(
            this.GetPrimaryKeyString(), _count, _totalNetSpend, _totalScore, mean, topMembers,
            state.State.Version, state.State.UpdatedAt);
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
        if (!_dirty)
        {
            return;
        }

        // Cleared before the write: a change applied while the write is in flight marks it
        // dirty again and is written next time.
        _dirty = false;
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch
        {
            _dirty = true;
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

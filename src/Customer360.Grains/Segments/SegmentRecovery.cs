using System.Collections.Concurrent;
using Customer360.Contracts.Segments;
using Customer360.Domain.Segments;
using Customer360.Grains.Configuration;
using Customer360.Grains.Customers;
using Customer360.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Customer360.Grains.Segments;

/// <summary>
/// Keeps stored segment figures recoverable after a crash. Segment updates travel through
/// in-memory buffers and segments write the buckets that changed at each checkpoint (every
/// <see cref="Customer360Options.SegmentCheckpointInterval"/>), so a killed process loses
/// the last moments of segment changes, though never a log entry. Each silo records its own
/// checkpoint: a log position at or below which every change of the customers it holds is
/// reflected in the stored segment figures. At start-up a silo re-states every customer changed
/// after the lowest checkpoint recorded, which mends whatever a crash of any silo lost.
/// </summary>
/// <remarks>
/// A checkpoint trails the log on purpose. A position read at time t is recorded only after
/// a flush and a segment write that began at least <see cref="Customer360Options.SegmentCheckpointLag"/>
/// after t, so that every change committed before t has been reported by its customer and
/// delivered by then.
///
/// A silo that stops or dies leaves its checkpoint behind, so a restart of the whole cluster
/// starts from it. In a running cluster, when the survivors see a silo declared dead they
/// re-state every customer changed after the lower of its checkpoint and their own, and then
/// forget its checkpoint. A silo's start-up pass forgets those of silos that are no longer
/// members once it has settled.
/// </remarks>
public sealed partial class SegmentRecovery(
    ICustomerStore store,
    SegmentUpdateBuffer buffer,
    IGrainFactory grains,
    CustomerGrains customerGrains,
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IOptions<Customer360Options> options,
    TimeProvider clock,
    ILogger<SegmentRecovery> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>
    /// What every silo's segment checkpoint is named after (<see cref="CheckpointOf"/>), and the
    /// name of the one checkpoint per service that earlier versions kept.
    /// </summary>
    public const string CheckpointName = "segments";

    /// <summary>The pause before a failed recovery after a silo loss is first tried again.</summary>
    public static readonly TimeSpan LossRetryFirstPause = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause between tries of a recovery after a silo loss.</summary>
    public static readonly TimeSpan LossRetryLongestPause = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _interval = options.Value.SegmentCheckpointInterval;
    private readonly TimeSpan _lag = options.Value.SegmentCheckpointLag;
    private readonly TimeSpan _lossWindow = options.Value.SegmentRecoveryWindowOnSiloLoss;
    private readonly string _own = CheckpointOf(localSilo.SiloAddress);

    // Log positions seen at each checkpoint, oldest first, kept as far back as the longer of
    // the checkpoint lag and the loss window; the floor is the newest position dropped from
    // it (at first, the checkpoint this silo started from).
    private readonly Queue<(DateTimeOffset At, long Position)> _history = new();
    private long _floor;

    // What a pass of recovery leaves to do once the re-statements it caused on every silo have
    // been delivered, at the pass's end plus the checkpoint lag (all guarded by _history's lock).
    // The start-up pass: this silo's checkpoint stays at the position it started from (if it
    // re-stated anyone), and afterwards the checkpoints it started from are forgotten, those of
    // silos that were dead when they were read, or unknown then and now. A silo that dies
    // later is a loss, whose own recovery forgets its checkpoint.
    private long _startFrom;
    private bool _startHolds = true;
    private DateTimeOffset? _startSettlesAt = DateTimeOffset.MaxValue;
    private IReadOnlyCollection<string> _startCheckpoints = [];
    private IReadOnlySet<string> _membersAtStart = new HashSet<string>(); // any status
    private IReadOnlySet<SiloAddress> _deadAtStart = new HashSet<SiloAddress>();

    // Checkpoints covered by a settled pass, still to be removed (a removal that failed is
    // tried again at the next checkpoint): each is removed only if it records this position or
    // a later one.
    private readonly Dictionary<string, long> _toForget = new(StringComparer.Ordinal);

    // Recovery owed for silos lost: the position it starts from, the lost silos' checkpoints,
    // which stay recorded until it has settled (so that a restart meanwhile still starts from
    // them), and once a pass has succeeded, when it settles. A failed pass is tried again.
    private long? _owedFrom;
    private DateTimeOffset? _owedSettlesAt;
    private readonly HashSet<string> _lostCheckpoints = new(StringComparer.Ordinal);
    private long _lossesSeen;
    private bool _recoveringLosses;
    private Task _lossRecovery = Task.CompletedTask;
    private CancellationTokenSource? _stop;
    private Task? _loop;
    private Task? _watch;

    public void Participate(ISiloLifecycle lifecycle)
    {
        lifecycle.Subscribe(nameof(SegmentRecovery), ServiceLifecycleStage.ApplicationServices, PrepareAsync, _ => Task.CompletedTask);
        lifecycle.Subscribe(nameof(SegmentRecovery), ServiceLifecycleStage.Active + 1, StartAsync, StopAsync);
    }

    /// <summary>The checkpoint of one silo: how far the stored segment figures reflect its customers' changes.</summary>
    public static string CheckpointOf(SiloAddress silo) => $"{CheckpointName}@{silo.ToParsableString()}";

    /// <summary>
    /// Where recovery at start-up begins: the lowest of the checkpoints recorded (every silo's,
    /// including those of silos that stopped or died, whose last changes may be missing), or the
    /// start of the log when there are none.
    /// </summary>
    public static long StartOf(IReadOnlyDictionary<string, long> checkpoints) =>
        checkpoints.Count == 0 ? 0 : checkpoints.Values.Min();

    /// <summary>Whether a checkpoint is a silo's segment checkpoint, or the one per service of earlier versions.</summary>
    public static bool IsSegmentCheckpoint(string name) =>
        name == CheckpointName || name.StartsWith(CheckpointName + "@", StringComparison.Ordinal);

    /// <summary>
    /// Before the silo becomes active: reads where recovery begins, and records this silo's
    /// checkpoint there, so that nothing its customers change is ever behind every recorded
    /// checkpoint. Also notes which silos are members and which are dead at this point.
    /// </summary>
    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        var members = membership.CurrentSnapshot.Members.Values;
        _membersAtStart = members.Select(m => CheckpointOf(m.SiloAddress)).ToHashSet(StringComparer.Ordinal);
        _deadAtStart = members.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress).ToHashSet();

        var checkpoints = (await store.ReadCheckpointsAsync(CheckpointName))
            .Where(c => IsSegmentCheckpoint(c.Key))
            .ToDictionary(StringComparer.Ordinal);
        _startFrom = _floor = StartOf(checkpoints);
        _startCheckpoints = [.. checkpoints.Keys.Where(name => name != _own)];
        await store.AdvanceCheckpointAsync(_own, _startFrom);
    }

    /// <summary>
    /// Re-states every customer changed after the lowest checkpoint recorded. Returns how many
    /// were re-stated. This silo's checkpoint moves on with the periodic ones, once the
    /// re-statements have had <see cref="Customer360Options.SegmentCheckpointLag"/> to arrive
    /// from every silo (in a cluster, the customers woken may live on others).
    /// </summary>
    private async Task<int> RecoverAsync(CancellationToken cancellationToken)
    {
        var pass = await RestateAfterAsync(_startFrom, cancellationToken);
        lock (_history)
        {
            (_startHolds, _startSettlesAt) = (pass.To > _startFrom, clock.GetUtcNow() + _lag);
        }

        return pass.Restated;
    }

    /// <summary>
    /// One pass of recovery: re-states every customer changed after <paramref name="from"/>,
    /// up to the log position <see cref="RecoveryPass.To"/> read before listing them, then
    /// delivers and stores the segments' figures. The caller records the checkpoint.
    /// </summary>
    private async Task<RecoveryPass> RestateAfterAsync(long from, CancellationToken cancellationToken)
    {
        var to = await store.LastPositionAsync();
        if (to <= from)
        {
            return new RecoveryPass(0, from, Persisted: true);
        }

        var customers = await store.CustomersAfterAsync(from);
        LogRecovering(logger, customers.Count, from, to);
        var unrestorable = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(
            customers,
            new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
            async (customerId, _) =>
            {
                try
                {
                    await customerGrains.Get(customerId).RestateSegmentsAsync();
                }
                catch (Exception e) when (IsCustomersOwn(e))
                {
                    // One customer that cannot be restored (an entry its build cannot read) must
                    // not keep the server from starting, nor the others from being re-stated.
                    LogUnrestorable(logger, e, customerId);
                    unrestorable.Enqueue(customerId);
                }
            });

        var persisted = await buffer.FlushAsync() && await PersistSegmentsAsync();
        if (!unrestorable.IsEmpty)
        {
            LogNotRestated(logger, unrestorable.Count, string.Join(", ", unrestorable.Take(10)));
        }

        LogRecovered(logger, customers.Count - unrestorable.Count);
        return new RecoveryPass(customers.Count - unrestorable.Count, to, persisted);
    }

    private readonly record struct RecoveryPass(int Restated, long To, bool Persisted);

    /// <summary>
    /// Whether restoring a customer failed for a reason of its own (its stored data), rather than
    /// the cluster's or the store's: an unreachable store, a call that timed out or was refused
    /// by a silo, or cancellation fail the recovery as a whole instead, since the customers they
    /// hit would otherwise be left behind the advanced checkpoint.
    /// </summary>
    private static bool IsCustomersOwn(Exception e) =>
        !CustomerStoreUnavailableException.IsCauseOf(e) && e is not (OperationCanceledException or TimeoutException or OrleansException);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        await RecoverAsync(cancellationToken);
        _stop = new CancellationTokenSource();
        _loop = RunAsync(_stop.Token);
        _watch = WatchMembershipAsync(_stop.Token);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stop is null || _loop is null)
        {
            return;
        }

        await _stop.CancelAsync();
        await _loop;
        await (_watch ?? Task.CompletedTask);
        try
        {
            await _lossRecovery.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        // A last checkpoint, so that a clean restart has little or nothing to re-state. Writes
        // have stopped arriving by now; the short pause lets the last committed ones report.
        try
        {
            var position = await store.LastPositionAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(200), clock, cancellationToken);
            if (await buffer.FlushAsync() && await PersistSegmentsAsync())
            {
                await store.AdvanceCheckpointAsync(_own, HeldBack(position, clock.GetUtcNow()));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCheckpointFailed(logger, ex);
        }
    }

    private async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await CheckpointAsync();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task WatchMembershipAsync(CancellationToken stop)
    {
        // Silos already dead when this one read the checkpoints: start-up recovery began from
        // theirs. One that died since is a loss like any other.
        var dead = new HashSet<SiloAddress>(_deadAtStart);
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stop))
            {
                var lost = snapshot.Members.Values
                    .Where(m => m.Status == SiloStatus.Dead && dead.Add(m.SiloAddress))
                    .Select(m => m.SiloAddress)
                    .ToList();
                if (lost.Count == 0)
                {
                    continue;
                }

                var from = await LossStartAsync(lost);
                LogSiloLost(logger, string.Join(", ", lost), from);
                OweRecovery(from, lost.Select(CheckpointOf), stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogCheckpointFailed(logger, ex);
        }
    }

    /// <summary>
    /// Where recovery after losing <paramref name="lost"/> begins: the lowest of their
    /// checkpoints, after which their customers' changes may not have reached the segments, and
    /// of this silo's own, after which its updates delivered to segments the lost silos held may
    /// not have been stored. A silo that stopped cleanly recorded the end of the log, so its
    /// loss costs the last moments before this silo's checkpoint. For a lost silo whose
    /// checkpoint cannot be read, it begins <see cref="Customer360Options.SegmentRecoveryWindowOnSiloLoss"/>
    /// back.
    /// </summary>
    private async Task<long> LossStartAsync(IReadOnlyList<SiloAddress> lost)
    {
        var window = PositionBefore(clock.GetUtcNow() - _lossWindow);
        try
        {
            var checkpoints = await store.ReadCheckpointsAsync(CheckpointName + "@");
            var from = checkpoints.GetValueOrDefault(_own, window);
            foreach (var silo in lost)
            {
                from = Math.Min(from, checkpoints.GetValueOrDefault(CheckpointOf(silo), window));
            }

            return from;
        }
        catch (Exception ex)
        {
            LogLossCheckpointUnread(logger, ex, window);
            return window;
        }
    }

    /// <summary>
    /// Records that customers changed after <paramref name="from"/> must be re-stated because a
    /// silo was lost, and starts the recovery unless one is already running, which then makes
    /// another pass. The membership watch goes on meanwhile.
    /// </summary>
    private void OweRecovery(long from, IEnumerable<string> lostCheckpoints, CancellationToken stop)
    {
        lock (_history)
        {
            _owedFrom = Math.Min(_owedFrom ?? from, from);
            _owedSettlesAt = null;
            _lostCheckpoints.UnionWith(lostCheckpoints);
            _lossesSeen++;
            if (_recoveringLosses)
            {
                return;
            }

            _recoveringLosses = true;
        }

        _lossRecovery = RecoverLossesAsync(stop);
    }

    /// <summary>
    /// Re-states the customers owed by silo losses until it succeeds or the silo stops. A failed
    /// pass (a store outage, a timeout, a refused call) is tried again after a pause that doubles
    /// from <see cref="LossRetryFirstPause"/> up to <see cref="LossRetryLongestPause"/>: left
    /// alone, the lost silo's segment changes would stay missing from the figures.
    /// </summary>
    private async Task RecoverLossesAsync(CancellationToken stop)
    {
        var pause = LossRetryFirstPause;
        try
        {
            while (true)
            {
                long from, losses;
                lock (_history)
                {
                    if (_owedFrom is not { } owed || _owedSettlesAt is not null)
                    {
                        _recoveringLosses = false;
                        return;
                    }

                    (from, losses) = (owed, _lossesSeen);
                }

                try
                {
                    var pass = await RestateAfterAsync(from, stop);
                    if (!pass.Persisted)
                    {
                        throw new InvalidOperationException("The re-stated segment figures could not be stored.");
                    }

                    pause = LossRetryFirstPause;
                    lock (_history)
                    {
                        // A silo lost during the pass may have changed customers after the pass
                        // listed them: that takes another pass. Otherwise the lost silos'
                        // checkpoints are forgotten once the others have delivered their
                        // re-statements too.
                        if (_lossesSeen == losses)
                        {
                            _owedSettlesAt = clock.GetUtcNow() + _lag;
                        }
                    }
                }
                catch (Exception ex) when (!stop.IsCancellationRequested)
                {
                    LogLossRecoveryFailed(logger, ex, from, pause);
                    await Task.Delay(pause, clock, stop);
                    pause = pause * 2 < LossRetryLongestPause ? pause * 2 : LossRetryLongestPause;
                }
            }
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // Stopping: a pass cut short fails with whatever the call it interrupted threw.
        }
    }

    /// <summary>
    /// The position this silo's checkpoint may record instead of <paramref name="position"/>: no
    /// further than the start-up pass began, until its re-statements have settled. Until then
    /// the changes it mends are not all in the stored figures, and a restart must re-state them.
    /// </summary>
    private long HeldBack(long position, DateTimeOffset now)
    {
        lock (_history)
        {
            return _startHolds && now < _startSettlesAt ? Math.Min(position, _startFrom) : position;
        }
    }

    /// <summary>
    /// Forgets the checkpoints that settled passes of recovery have covered: those the start-up
    /// pass began from, of silos dead then or unknown then and now, and those of silos lost. A
    /// checkpoint is forgotten only if it records no earlier position than the pass began from.
    /// </summary>
    private async Task ForgetCoveredCheckpointsAsync(DateTimeOffset now)
    {
        bool startSettled;
        lock (_history)
        {
            startSettled = now >= _startSettlesAt;
        }

        // A silo that started since may have recorded its checkpoint before this silo's view
        // of the membership lists it.
        var known = startSettled ? await KnownSilosAsync() : null;
        List<(string Name, long From)> covered;
        lock (_history)
        {
            if (known is not null)
            {
                var deadAtStart = _deadAtStart.Select(CheckpointOf).ToHashSet(StringComparer.Ordinal);
                var forgettable = _startCheckpoints.Where(n =>
                    (deadAtStart.Contains(n) || (!_membersAtStart.Contains(n) && !known.Contains(n))) && !_lostCheckpoints.Contains(n));
                foreach (var name in forgettable)
                {
                    _toForget[name] = _startFrom;
                }

                (_startCheckpoints, _startSettlesAt) = ([], null);
            }

            if (_owedFrom is { } owed && _owedSettlesAt is { } settles && now >= settles)
            {
                foreach (var name in _lostCheckpoints)
                {
                    _toForget[name] = owed;
                }

                _lostCheckpoints.Clear();
                (_owedFrom, _owedSettlesAt) = (null, null);
            }

            covered = [.. _toForget.Select(c => (c.Key, c.Value))];
        }

        foreach (var (name, from) in covered)
        {
            await store.RemoveCheckpointAsync(name, from);
            lock (_history)
            {
                _toForget.Remove(name);
            }
        }
    }

    /// <summary>The checkpoint names of every silo the membership lists now, whatever its status.</summary>
    private async Task<HashSet<string>> KnownSilosAsync()
    {
        await membership.Refresh();
        return membership.CurrentSnapshot.Members.Values
            .Select(m => CheckpointOf(m.SiloAddress))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The newest log position seen at or before <paramref name="time"/>, or the floor.</summary>
    private long PositionBefore(DateTimeOffset time)
    {
        lock (_history)
        {
            var position = _floor;
            foreach (var (at, seen) in _history)
            {
                if (at <= time)
                {
                    position = seen;
                }
            }

            return position;
        }
    }

    private async Task CheckpointAsync()
    {
        try
        {
            // The time is taken once the position is read: the read waits for the commits under
            // way, whose customers report their changes only after it.
            var last = await store.LastPositionAsync();
            var now = clock.GetUtcNow();
            var keep = _lag > _lossWindow ? _lag : _lossWindow;
            lock (_history)
            {
                _history.Enqueue((now, last));
                while (_history.Count > 1 && _history.ElementAt(1).At <= now - keep)
                {
                    _floor = _history.Dequeue().Position;
                }
            }

            if (await buffer.FlushAsync() && await PersistSegmentsAsync())
            {
                // Checkpoints only ever advance, so recording an older position is harmless.
                await store.AdvanceCheckpointAsync(_own, HeldBack(PositionBefore(now - _lag), now));
                await ForgetCoveredCheckpointsAsync(now);
            }
        }
        catch (Exception ex)
        {
            LogCheckpointFailed(logger, ex);
        }
    }

    private async Task<bool> PersistSegmentsAsync()
    {
        try
        {
            await Task.WhenAll(SegmentId.All.Select(id => grains.GetGrain<ISegmentGrain>(id).PersistAsync()));
            return true;
        }
        catch (Exception ex)
        {
            LogCheckpointFailed(logger, ex);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recovering segment figures: re-stating {Count} customers changed after log position {From} (log is at {To})")]
    private static partial void LogRecovering(ILogger logger, int count, long from, long to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Segment figures recovered ({Count} customers re-stated)")]
    private static partial void LogRecovered(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Customer {CustomerId} could not be restored to re-state its segments; its segment figures stay as stored")]
    private static partial void LogUnrestorable(ILogger logger, Exception exception, string customerId);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} customer(s) could not be restored and were not re-stated, such as {Customers}; the rest of segment recovery went on")]
    private static partial void LogNotRestated(ILogger logger, int count, string customers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silos} was declared dead; re-stating customers changed after log position {From}")]
    private static partial void LogSiloLost(ILogger logger, string silos, long from);

    [LoggerMessage(Level = LogLevel.Error, Message = "Re-stating customers changed after log position {From} for a lost silo failed; trying again in {Pause}")]
    private static partial void LogLossRecoveryFailed(ILogger logger, Exception exception, long from, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lost silo's segment checkpoint could not be read; re-stating customers changed after log position {From}")]
    private static partial void LogLossCheckpointUnread(ILogger logger, Exception exception, long from);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Segment checkpoint not advanced; will try again")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception ex);
}

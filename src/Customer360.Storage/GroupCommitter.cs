using System.Threading.Channels;
using Customer360.Grains.Diagnostics;
using Customer360.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Customer360.Storage;

/// <summary>
/// Group commit: log appends from every customer on the silo queue here and are written by one
/// loop, many per transaction, with up to a configured number of transactions committing at
/// once; each append completes after the transaction that holds it has committed. Snapshots
/// ride along in the same transactions.
/// </summary>
/// <remarks>
/// Written here rather than taken from a library: the batching has to know the store's
/// semantics (per-entry outcomes, newest snapshot per customer wins), and the loop is short.
/// </remarks>
public sealed partial class GroupCommitter : IAsyncDisposable
{
    /// <summary>Writes one batch in one transaction; returns, per append, whether it was stored.</summary>
    public delegate Task<bool[]> CommitBatch(IReadOnlyList<CustomerLogEntry> appends, IReadOnlyList<CustomerSnapshot> snapshots, CancellationToken cancellationToken);

    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CommitBatch _commit;
    private readonly GroupCommitOptions _options;
    private readonly ILogger _logger;

    // While the database is down every commit fails, many a second, each with the same stack:
    // one error every ten seconds, counting those held back, and a last line with the count of
    // the final ten seconds.
    private readonly LogSampler<bool> _failureLogs;
    private readonly Customer360Metrics? _metrics;
    private readonly Task _loop;
    private long _batches;
    private long _entries;

    private readonly int _maxConcurrent;
    private readonly SemaphoreSlim _slots;

    // The commits under way, each registered before its batch reaches the database (guarded by
    // itself); see CommitsUnderWayAsync.
    private readonly HashSet<Task> _underWay = [];

    /// <param name="commit">Writes one batch in one transaction.</param>
    /// <param name="options">Batch limits.</param>
    /// <param name="logger">For commit timings and failures.</param>
    /// <param name="maxConcurrentCommits">
    /// Batches committing at once; defaults to <see cref="GroupCommitOptions.MaxConcurrentCommits"/>.
    /// A store with a single writer (SQLite) passes 1.
    /// </param>
    /// <param name="metrics">Where each commit's entries and time are recorded, if anywhere.</param>
    public GroupCommitter(CommitBatch commit, GroupCommitOptions options, ILogger logger, int? maxConcurrentCommits = null, Customer360Metrics? metrics = null)
    {
        _commit = commit;
        _options = options;
        _logger = logger;
        _metrics = metrics;
        _failureLogs = new LogSampler<bool>(TimeSpan.FromSeconds(10), (_, alike) => LogCommitsFailedLeftOut(logger, alike));
        _maxConcurrent = Math.Max(1, maxConcurrentCommits ?? options.MaxConcurrentCommits);
        _slots = new SemaphoreSlim(_maxConcurrent, _maxConcurrent);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Transactions committed so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Log entries appended so far.</summary>
    public long Entries => Interlocked.Read(ref _entries);

    public Task<bool> AppendAsync(CustomerLogEntry entry)
    {
        var work = new Work(entry, null, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(work))
        {
            throw new CustomerStoreUnavailableException("The customer store is closed (the server is stopping); the change was not stored. Retry.");
        }

        return work.Done!.Task;
    }

    public void SaveSnapshot(CustomerSnapshot snapshot)
    {
        if (!_queue.Writer.TryWrite(new Work(null, snapshot, null)))
        {
            LogSnapshotDropped(_logger, snapshot.CustomerId);
        }
    }

    /// <summary>
    /// Completes once everything queued before the call (appends and snapshots) has been through
    /// a commit, committed or failed, and so has every commit under way as it is called. An
    /// erasure waits for it, so that nothing this silo was still writing of the customer lands
    /// in the log after it.
    /// </summary>
    public Task QueuedAsync()
    {
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Work(null, null, null, drained)))
        {
            // Stopping: everything queued is committed before the committer stops.
            return _loop;
        }

        return drained.Task;
    }

    /// <summary>
    /// Completes when every commit under way as it is called has ended, committed or failed.
    /// A store's log positions are assigned as a batch's rows are inserted, before it commits,
    /// and two batches commit at once: the newest committed position can lie above entries of a
    /// batch still committing. Read the newest position first, then wait for this, and every
    /// entry this committer wrote at or below that position has its outcome.
    /// </summary>
    public Task CommitsUnderWayAsync()
    {
        lock (_underWay)
        {
            return _underWay.Count == 0 ? Task.CompletedTask : Task.WhenAll([.. _underWay]);
        }
    }

    /// <summary>Commits everything queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        _failureLogs.Dispose();
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            // A batch is taken only when a commit slot is free, so that while every slot is
            // busy the queue fills and the next batch is a large one.
            await _slots.WaitAsync();
            var appends = new List<Work>();
            var snapshots = new Dictionary<string, CustomerSnapshot>(StringComparer.Ordinal);
            var drains = new List<TaskCompletionSource>();
            Take(reader, appends, snapshots, drains);
            if (_options.MaxBatchWait > TimeSpan.Zero && appends.Count is > 0 && appends.Count < _options.MaxBatchSize)
            {
                using var linger = new CancellationTokenSource(_options.MaxBatchWait);
                try
                {
                    while (appends.Count < _options.MaxBatchSize && await reader.WaitToReadAsync(linger.Token))
                    {
                        Take(reader, appends, snapshots, drains);
                    }
                }
                catch (OperationCanceledException)
                {
                    // The wait is over; commit what there is.
                }
            }

            // Snapshots go in customer order too, for the same reason as the entries below.
            var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task earlier;
            lock (_underWay)
            {
                // What a drain taken into this batch waits for besides the batch itself.
                earlier = drains.Count == 0 || _underWay.Count == 0 ? Task.CompletedTask : Task.WhenAll([.. _underWay]);
                _underWay.Add(ended.Task);
            }

            if (drains.Count > 0)
            {
                _ = CompleteDrainsAsync(Task.WhenAll(earlier, ended.Task), drains);
            }

            _ = CommitAndReleaseAsync(appends, [.. snapshots.Values.OrderBy(s => s.CustomerId, StringComparer.Ordinal)], ended);
        }

        // Stopping: wait for the commits still in flight.
        for (var i = 0; i < _maxConcurrent; i++)
        {
            await _slots.WaitAsync();
        }
    }

    private async Task CommitAndReleaseAsync(List<Work> appends, IReadOnlyList<CustomerSnapshot> snapshots, TaskCompletionSource ended)
    {
        try
        {
            if (appends.Count > 0 || snapshots.Count > 0)
            {
                await CommitAsync(appends, snapshots);
            }
        }
        finally
        {
            lock (_underWay)
            {
                _underWay.Remove(ended.Task);
            }

            ended.TrySetResult();
            _slots.Release();
        }
    }

    private static async Task CompleteDrainsAsync(Task committed, List<TaskCompletionSource> drains)
    {
        await committed;
        foreach (var drain in drains)
        {
            drain.TrySetResult();
        }
    }

    private void Take(ChannelReader<Work> reader, List<Work> appends, Dictionary<string, CustomerSnapshot> snapshots, List<TaskCompletionSource> drains)
    {
        while (appends.Count < _options.MaxBatchSize && reader.TryRead(out var work))
        {
            if (work.Drained is { } drained)
            {
                // Everything queued before it is in this batch or an earlier one.
                drains.Add(drained);
            }
            else if (work.Entry is not null)
            {
                appends.Add(work);
            }
            else if (work.Snapshot is { } s && (!snapshots.TryGetValue(s.CustomerId, out var queued) || queued.Version < s.Version))
            {
                snapshots[s.CustomerId] = s;
            }
        }
    }

    private async Task CommitAsync(List<Work> appends, IReadOnlyList<CustomerSnapshot> snapshots)
    {
        // One batch must not hold the same log position or event id twice, so that the store
        // can tell which entry an insert answered for. Later ones are refused as taken.
        // Entries go in (customer, sequence) order, so that concurrent batches take their row
        // locks in one order and cannot deadlock one another.
        // The sort is stable: of two appends at one position, the first queued still wins.
        appends = [.. appends.OrderBy(w => w.Entry!.CustomerId, StringComparer.Ordinal).ThenBy(w => w.Entry!.Sequence)];
        var entries = new List<CustomerLogEntry>(appends.Count);
        var accepted = new List<Work>(appends.Count);
        var positions = new HashSet<(string, long)>();
        var events = new HashSet<(string, string)>();
        foreach (var work in appends)
        {
            var entry = work.Entry!;
            if (!positions.Add((entry.CustomerId, entry.Sequence))
                || (entry.Touchpoint is { } t && !events.Add((entry.CustomerId, t.EventId))))
            {
                work.Done!.TrySetResult(false);
                continue;
            }

            entries.Add(entry);
            accepted.Add(work);
        }

        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var stored = await _commit(entries, snapshots, CancellationToken.None);
            var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            LogCommitted(_logger, entries.Count, snapshots.Count, took.TotalMilliseconds);
            _metrics?.Committed(entries.Count, took);
            for (var i = 0; i < accepted.Count; i++)
            {
                accepted[i].Done!.TrySetResult(stored[i]);
            }

            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _entries, stored.Count(s => s));
        }
        catch (Exception ex)
        {
            if (_failureLogs.ShouldLog(true, out var alike))
            {
                LogCommitFailed(_logger, ex, entries.Count, snapshots.Count, alike);
            }

            foreach (var work in accepted)
            {
                work.Done!.TrySetException(new CustomerStoreUnavailableException("The customer log could not commit; the change may not be stored. Retry.", ex));
            }
        }
    }

    private sealed record Work(CustomerLogEntry? Entry, CustomerSnapshot? Snapshot, TaskCompletionSource<bool>? Done, TaskCompletionSource? Drained = null);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Committed {Entries} log entries and {Snapshots} snapshots in {Milliseconds:F1} ms")]
    private static partial void LogCommitted(ILogger logger, int entries, int snapshots, double milliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "A customer log commit of {Entries} entries and {Snapshots} snapshots failed ({Alike} more failed commits not logged since the last)")]
    private static partial void LogCommitFailed(ILogger logger, Exception ex, int entries, int snapshots, long alike);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Alike} more customer log commits failed after the last one logged")]
    private static partial void LogCommitsFailedLeftOut(ILogger logger, long alike);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Snapshot of customer {CustomerId} not written: the store is closed")]
    private static partial void LogSnapshotDropped(ILogger logger, string customerId);
}

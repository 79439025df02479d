using Customer360.Contracts.Values;
using Customer360.Grains.Configuration;
using Customer360.Grains.Customers;
using Customer360.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Customer360.Grains.Values;

/// <summary>The re-scoring sweep's stored progress, kept by the value model grain.</summary>
[GenerateSerializer, Alias("c360.RescoringSweepState")]
public sealed class RescoringSweepState
{
    [Id(0)] public long ModelVersion { get; set; }

    [Id(1)] public DateOnly Day { get; set; }

    [Id(2)] public DateTimeOffset StartedAt { get; set; }

    [Id(3)] public long Customers { get; set; }

    [Id(4)] public long Visited { get; set; }

    [Id(5)] public long Rescored { get; set; }

    [Id(6)] public string? Cursor { get; set; }

    [Id(7)] public DateTimeOffset? CompletedAt { get; set; }

    [Id(8)] public string? LastError { get; set; }

    /// <summary>Of <see cref="Rescored"/>, the customers rescored from their stored value summary, without being woken.</summary>
    [Id(9)] public long RescoredWithoutActivation { get; set; }

    /// <summary>
    /// Customers passed over because they failed or did not answer in time: tried again once
    /// the walk ends, and those that fail again stay here when the sweep completes.
    /// </summary>
    [Id(10)] public List<string> NotReached { get; set; } = [];

    /// <summary>False before the first sweep.</summary>
    public bool Started => ModelVersion > 0;

    public RescoringSweepStatus? ToStatus() => Started
        ? new RescoringSweepStatus(ModelVersion, Day, StartedAt, Customers, Visited, Rescored, Cursor, CompletedAt, LastError)
        {
            RescoredWithoutActivation = RescoredWithoutActivation,
            NotReached = NotReached.Count,
        }
        : null;
}

/// <summary>
/// Walks every customer in the log, in id order, and brings each to a model version as of
/// today. A page of customers is read with each one's stored value summary; every silo is asked
/// which of them it holds in memory. Those in memory, and those without a current summary, rescore
/// themselves (<see cref="Contracts.Customers.ICustomerGrain.RefreshValueAsync"/>, concurrently);
/// the others are rescored here from their summaries, and their segment memberships re-stated,
/// without waking them (<see cref="ColdRescoring"/>). Pages are paced to
/// <see cref="ValueModelSettings.SweepRate"/> customers a second (<see cref="SweepPacer"/>).
/// </summary>
/// <remarks>
/// One customer does not hold up the others. A customer that fails to rescore itself, or does
/// not answer within <see cref="ValueModelSettings.SweepCallTimeout"/> (its silo hung, its log
/// unreadable), is noted as not reached and the walk goes on; the noted customers are tried once
/// more when the walk ends, and those that fail again are reported with the completed sweep
/// (they are rescored anyway when they next wake). Beyond
/// <see cref="ValueModelSettings.SweepMaxNotReached"/> of them the failure is not the customers'
/// own: the page fails as a whole, and the sweep resumes from its cursor at the next check.
/// </remarks>
public sealed partial class RescoringSweep(
    ICustomerStore store,
    CustomerGrains customers,
    ColdRescoring cold,
    IOptions<Customer360Options> options,
    TimeProvider clock,
    ILogger<RescoringSweep> logger)
{
    private readonly ValueModelSettings _settings = options.Value.ValueModel;

    /// <summary>Customers with a log now: the size of a sweep starting now.</summary>
    public Task<long> CountCustomersAsync() => store.CountCustomersAsync();

    /// <summary>
    /// Rescores the customers after <paramref name="state"/>'s cursor, page by page, advancing
    /// the cursor and counts after each page, until every customer is reached or
    /// <paramref name="stop"/> is cancelled. <paramref name="pageDone"/> runs after each page,
    /// on the caller's context, to store the progress when it sees fit. Throws what a page
    /// throws, with the state at the last whole page.
    /// </summary>
    public async Task RunAsync(RescoringSweepState state, Func<Task> pageDone, CancellationToken stop)
    {
        var pacer = new SweepPacer(_settings.SweepRate, clock);
        var notReached = new HashSet<string>(state.NotReached, StringComparer.Ordinal);

        // The next page is read while this one is rescored: the store's read and the rescoring
        // overlap instead of taking turns.
        Task<IReadOnlyList<SweepCandidate>>? next = store.ReadSweepPageAsync(state.Cursor, _settings.SweepPageSize);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var page = await next;
                next = null;
                if (page.Count == 0)
                {
                    await RetryNotReachedAsync(state, notReached, stop);
                    if (stop.IsCancellationRequested)
                    {
                        return;
                    }

                    state.CompletedAt = clock.GetUtcNow();
                    state.LastError = state.NotReached.Count == 0 ? null : NotReachedMessage(state.NotReached);
                    await pageDone();
                    return;
                }

                next = store.ReadSweepPageAsync(page[^1].CustomerId, _settings.SweepPageSize);
                var (awake, rescoredAtRest) = await cold.RescoreAsync(page, state.ModelVersion);
                var refreshed = await RefreshAllAsync(awake, state.ModelVersion);
                var missed = awake.Where((_, i) => refreshed[i] is null).ToHashSet(StringComparer.Ordinal);
                if (Passed(notReached, page, missed).Count > _settings.SweepMaxNotReached)
                {
                    // Those passed over earlier are tried first: the outage that made them may be over.
                    await RetryNotReachedAsync(state, notReached, stop);
                    var passed = Passed(notReached, page, missed).Count;
                    if (passed > _settings.SweepMaxNotReached)
                    {
                        throw new SweepStoppedShortException(
                            $"{passed} customers could not be rescored, more than the {_settings.SweepMaxNotReached} a sweep passes over; it resumes from its cursor at the next check");
                    }
                }

                // A customer passed over before and reached now (a page redone after a restart)
                // leaves the list; one passed over again is listed once.
                notReached = Passed(notReached, page, missed);
                state.NotReached = [.. notReached];
                state.Cursor = page[^1].CustomerId;
                state.Visited += page.Count;
                state.Rescored += refreshed.Count(r => r == true) + rescoredAtRest;
                state.RescoredWithoutActivation += rescoredAtRest;
                await pageDone();

                // A slow page is made up by later ones, up to a second's worth (see SweepPacer).
                var due = pacer.DelayAfter(page.Count);
                if (due > TimeSpan.Zero)
                {
                    // Stays on the caller's context: the value model grain runs the sweep on its scheduler.
                    await Task.Delay(due, clock, stop).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }
        finally
        {
            // A page read ahead and not used (the sweep stopped, or a page failed) is let go;
            // its failure, if any, is of no interest.
            next?.ContinueWith(static read => _ = read.Exception, TaskScheduler.Default);
        }
    }

    /// <summary>The customers passed over once <paramref name="page"/> is taken: those before, less the page's reached ones, plus its missed ones.</summary>
    private static HashSet<string> Passed(HashSet<string> before, IReadOnlyList<SweepCandidate> page, HashSet<string> missed)
    {
        var passed = new HashSet<string>(before, StringComparer.Ordinal);
        foreach (var (customerId, _) in page)
        {
            if (missed.Contains(customerId))
            {
                passed.Add(customerId);
            }
            else
            {
                passed.Remove(customerId);
            }
        }

        return passed;
    }

    /// <summary>
    /// Asks the customers passed over to rescore themselves once more, a page at a time, until
    /// <paramref name="stop"/>; those that answer leave <paramref name="notReached"/> and the state's list.
    /// </summary>
    private async Task RetryNotReachedAsync(RescoringSweepState state, HashSet<string> notReached, CancellationToken stop)
    {
        foreach (var chunk in notReached.Chunk(_settings.SweepPageSize).ToArray())
        {
            if (stop.IsCancellationRequested)
            {
                break;
            }

            var refreshed = await RefreshAllAsync(chunk, state.ModelVersion);
            state.Rescored += refreshed.Count(r => r == true);
            foreach (var (customerId, outcome) in chunk.Zip(refreshed))
            {
                if (outcome is not null)
                {
                    notReached.Remove(customerId);
                }
            }
        }

        state.NotReached = [.. notReached];
    }

    /// <summary>
    /// Asks each customer to rescore itself, concurrently: per customer, whether its score was
    /// recomputed, or null if it failed or did not answer within the call timeout. An unavailable
    /// store is not a customer's own failure: it fails the page, to be tried again.
    /// </summary>
    private Task<bool?[]> RefreshAllAsync(IReadOnlyList<string> customerIds, long modelVersion) =>
        Task.WhenAll(customerIds.Select(async id =>
        {
            try
            {
                // WaitAsync stops waiting, not the call: a customer that answers late is rescored all the same.
                return (bool?)await customers.Get(id).RefreshValueAsync(modelVersion).WaitAsync(_settings.SweepCallTimeout, clock);
            }
            catch (Exception e) when (!CustomerStoreUnavailableException.IsCauseOf(e))
            {
                LogNotReached(logger, e, id);
                return null;
            }
        }));

    private static string NotReachedMessage(IReadOnlyList<string> notReached) =>
        $"{notReached.Count} customer(s) could not be rescored, such as {string.Join(", ", notReached.Take(3))}; each is rescored when it next wakes, and by the next sweep";

    [LoggerMessage(Level = LogLevel.Warning, Message = "The re-scoring sweep passed over customer {CustomerId}, which failed or did not answer in time; it is tried again when the walk ends")]
    private static partial void LogNotReached(ILogger logger, Exception exception, string customerId);
}

using System.Diagnostics;
using Customer360.LoadTest.Engine;
using HdrHistogram;

namespace Customer360.LoadTest.InProcess;

/// <summary>
/// Runs a phase of calls 0..count−1 with at most <c>concurrency</c> in flight, timing each.
/// Closed loop (no pacer): each caller sends its next call when its last one returns, and a
/// call's latency runs from its send. Open loop (an <see cref="OfferedRatePacer"/>): calls are
/// due at the pacer's fixed rate whether or not earlier ones have returned, a caller that fell
/// behind sends at once, and a call's latency runs from its due time, so that time spent waiting
/// for a free caller counts (no coordinated omission); the latency from the send is kept too.
/// </summary>
internal static class CallPhases
{
    /// <param name="clock">Gets every call's send and answer, for live progress; null for none.</param>
    /// <returns>The phase, and its latency histogram (from due times when paced), for merging with others.</returns>
    public static async Task<(CallPhase Phase, LongHistogram Latency)> RunAsync(
        int count, int concurrency, Func<int, Task> call, OfferedRatePacer? pacer, CancellationToken cancellationToken, PhaseClock? clock = null)
    {
        var next = -1;
        var fromDue = new LongHistogram[concurrency];
        var fromSend = new LongHistogram[concurrency];
        var started = Stopwatch.GetTimestamp();
        pacer?.Start();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(
            async () =>
            {
                var due = fromDue[worker] = LatencySummary.CreateHistogram();
                var send = fromSend[worker] = LatencySummary.CreateHistogram();
                int i;
                while ((i = Interlocked.Increment(ref next)) < count && !cancellationToken.IsCancellationRequested)
                {
                    var dueAt = pacer is null ? 0 : await pacer.WaitForTurnAsync(cancellationToken);
                    var sentAt = Stopwatch.GetTimestamp();

                    // The pacer does not sleep for less than a timer tick, so a turn may come a
                    // little before it is due; latency is then counted from the send, never
                    // from a moment after it.
                    dueAt = Math.Min(dueAt, sentAt);
                    clock?.MarkSend(sentAt);
                    await call(i);
                    var doneAt = Stopwatch.GetTimestamp();
                    clock?.MarkAck(doneAt, pacer is null ? sentAt : dueAt);
                    LatencySummary.Record(send, sentAt, doneAt);
                    if (pacer is not null)
                    {
                        LatencySummary.Record(due, dueAt, doneAt);
                    }
                }
            },
            cancellationToken)));
        var elapsed = Stopwatch.GetElapsedTime(started);

        var sendLatency = Merge(fromSend);
        if (pacer is null)
        {
            return (new CallPhase(count, elapsed, LatencySummary.From(sendLatency)), sendLatency);
        }

        var dueLatency = Merge(fromDue);
        return (new CallPhase(count, elapsed, LatencySummary.From(dueLatency)) { OfferedRate = pacer.RatePerSecond, SendLatency = LatencySummary.From(sendLatency) }, dueLatency);
    }

    private static LongHistogram Merge(IEnumerable<LongHistogram> histograms)
    {
        var all = LatencySummary.CreateHistogram();
        foreach (var histogram in histograms)
        {
            all.Add(histogram);
        }

        return all;
    }
}

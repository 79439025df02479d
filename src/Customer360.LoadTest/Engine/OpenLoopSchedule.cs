using System.Diagnostics;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// Starts calls at a fixed rate whether or not earlier ones have finished (open loop), as agents
/// looking customers up do not wait for each other: call number n is due at start + n / rate and
/// is started at once if the schedule is behind. Each call is handed its due time, so it can
/// measure its latency from when it should have started (no coordinated omission).
/// </summary>
internal static class OpenLoopSchedule
{
    /// <summary>Waits shorter than this are not worth a timer; such calls start a little early.</summary>
    private static readonly TimeSpan TimerResolution = TimeSpan.FromMilliseconds(1);

    /// <summary>Finished calls are dropped from the in-flight list once it holds this many.</summary>
    private const int PruneFloor = 4096;

    /// <summary>
    /// Runs until <paramref name="stop"/> is cancelled, then waits for the calls still in flight.
    /// Returns how many calls were started.
    /// </summary>
    public static async Task<long> RunAsync(double ratePerSecond, Func<long, Task> call, CancellationToken stop)
    {
        var ticksPerCall = Stopwatch.Frequency / ratePerSecond;
        var start = Stopwatch.GetTimestamp();
        var inFlight = new List<Task>();
        var pruneAt = PruneFloor;
        long started = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var due = start + (long)(started * ticksPerCall);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait >= TimerResolution)
                {
                    await Task.Delay(wait, stop);
                }

                inFlight.Add(call(due));
                started++;
                if (inFlight.Count >= pruneAt)
                {
                    // Pruned only when the list has doubled, so a long backlog of calls in flight
                    // costs the dispatcher constant time per call.
                    inFlight.RemoveAll(t => t.IsCompleted);
                    pruneAt = Math.Max(PruneFloor, inFlight.Count * 2);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The phase is over.
        }

        await Task.WhenAll(inFlight);
        return started;
    }
}

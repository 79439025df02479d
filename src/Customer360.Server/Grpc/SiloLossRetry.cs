using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Customer360.Server.Grpc;

/// <summary>
/// Tries a grain call again when it failed because the silo holding the grain left the cluster
/// while the call was under way: the silo is stopping (a rolling restart) or was declared dead.
/// Orleans does not send such a call again; the grain is activated anew on another silo at the
/// next call. Only calls that are safe to repeat come here: reads, and touchpoints, which are
/// recorded once per event id (a touchpoint the lost silo did store is answered DUPLICATE).
/// When the silo is not back in a few seconds, the failure goes to the client as UNAVAILABLE.
/// </summary>
public static class SiloLossRetry
{
    /// <summary>First wait before a call is tried again; it doubles up to <see cref="LongestWait"/>.</summary>
    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(1);

    /// <summary>How long after its first attempt a call is still tried again.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Makes <paramref name="call"/>, again while it fails with a silo loss, within
    /// <see cref="Budget"/>, and not once <paramref name="cancellation"/> or
    /// <paramref name="stopping"/> (this server is stopping itself) is cancelled.
    /// </summary>
    public static async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken cancellation, CancellationToken stopping)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await call();
        }
        catch (Exception ex) when (IsSiloLoss(ex))
        {
            return await AgainAsync(ex, started, call, cancellation, stopping);
        }
    }

    /// <summary>
    /// Tries <paramref name="call"/> again after its attempt made at <paramref name="started"/>
    /// (a <see cref="Stopwatch"/> timestamp) failed with the silo loss <paramref name="lost"/>,
    /// as <see cref="CallAsync"/> does; throws the last loss once the budget is spent. A caller on
    /// a hot path makes its first attempt itself and comes here only when it failed, so that a
    /// call that succeeds allocates nothing for the retry.
    /// </summary>
    public static async Task<T> AgainAsync<T>(Exception lost, long started, Func<Task<T>> call, CancellationToken cancellation, CancellationToken stopping)
    {
        for (var wait = FirstWait; ; wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LongestWait.Ticks)))
        {
            if (Stopwatch.GetElapsedTime(started) + wait > Budget || cancellation.IsCancellationRequested || stopping.IsCancellationRequested)
            {
                ExceptionDispatchInfo.Throw(lost);
            }

            await Task.Delay(wait, cancellation).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (cancellation.IsCancellationRequested || stopping.IsCancellationRequested)
            {
                ExceptionDispatchInfo.Throw(lost);
            }

            try
            {
                return await call();
            }
            catch (Exception ex) when (IsSiloLoss(ex))
            {
                lost = ex;
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="ex"/> says the call's silo left: SiloUnavailableException, or
    /// another rejection of the message, as a stopping silo answers the calls it no longer
    /// takes (OrleansMessageRejectionException, of which the first is one).
    /// </summary>
    public static bool IsSiloLoss(Exception ex) => ex is SiloUnavailableException or OrleansMessageRejectionException;
}

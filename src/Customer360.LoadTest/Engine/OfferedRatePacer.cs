using System.Diagnostics;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// Holds the engine phase to a fixed offered rate over all streams, like a token bucket filled at
/// that rate: send number n (counted over every stream) is due at start + n / rate. The schedule
/// never slips: a sender that fell behind, because its window was full, sends at once when it can.
/// So the offered rate is the real one whenever the engine keeps up, and latency measured from a
/// send's due time includes any time it waited on the client side (no coordinated omission).
/// </summary>
internal sealed class OfferedRatePacer(double ratePerSecond)
{
    /// <summary>Waits shorter than this are not worth a timer; such a send goes a little early.</summary>
    private static readonly TimeSpan TimerResolution = TimeSpan.FromMilliseconds(1);

    private readonly double _ticksPerSend = Stopwatch.Frequency / ratePerSecond;
    private long _start;
    private long _claimed = -1;

    public double RatePerSecond { get; } = ratePerSecond;

    /// <summary>Sets the moment send number 0 is due; call once, just before the first send.</summary>
    public void Start() => _start = Stopwatch.GetTimestamp();

    /// <summary>Takes the next send slot and waits for its due time, which it returns (a <see cref="Stopwatch"/> timestamp).</summary>
    public async ValueTask<long> WaitForTurnAsync(CancellationToken cancellationToken)
    {
        var due = TakeTurn();
        await WaitUntilAsync(due, cancellationToken);
        return due;
    }

    /// <summary>
    /// Takes the next send slot without waiting for it, returning its due time; for a sender that
    /// must keep the turn even when its wait is cut short (a stream refused as it opened sends
    /// the touchpoint again later, still due when it was first).
    /// </summary>
    public long TakeTurn() => _start + (long)(Interlocked.Increment(ref _claimed) * _ticksPerSend);

    /// <summary>Waits until <paramref name="due"/> (a <see cref="Stopwatch"/> timestamp); at once if it has passed.</summary>
    public static async ValueTask WaitUntilAsync(long due, CancellationToken cancellationToken)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
        if (wait >= TimerResolution)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }

    /// <summary>
    /// Takes the next send slot only if it is already due, returning its due time; for a sender
    /// that adds touchpoints to a message while they are ready, without waiting to fill it.
    /// </summary>
    public bool TryTakeDueTurn(out long due)
    {
        while (true)
        {
            var claimed = Volatile.Read(ref _claimed);
            due = _start + (long)((claimed + 1) * _ticksPerSend);
            if (due > Stopwatch.GetTimestamp())
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _claimed, claimed + 1, claimed) == claimed)
            {
                return true;
            }
        }
    }
}

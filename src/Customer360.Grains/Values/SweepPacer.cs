namespace Customer360.Grains.Values;

/// <summary>
/// Paces the re-scoring sweep to <paramref name="rate"/> customers a second (0 for no limit):
/// after each page, says how long to wait before the next one.
/// </summary>
/// <remarks>
/// <para>
/// The pace is kept on a schedule, not page by page: a page that is slow (a busy store, a
/// pause) is made up by shorter waits after the next ones, so the sweep still averages its rate.
/// </para>
/// <para>
/// The catch-up is bounded to <see cref="MaxCatchUp"/>, one second's worth of customers. After a
/// long stall (a slow database, a long collection pause, a machine busy for a minute), making up
/// all of the lost time would mean page after page with no wait at all: a burst at full speed
/// that crowds out the tills' ingestion, which is what the rate is there to prevent. A burst also
/// reaches many customers between two stores of the sweep's progress, all to be redone if the
/// server is killed during it. So when the sweep is more than a second behind, the schedule is
/// moved forward until it is a second behind: the sweep makes up one second's worth at full
/// speed, then goes back to its rate, and the rest of the lost time is not made up.
/// </para>
/// </remarks>
public sealed class SweepPacer(int rate, TimeProvider clock)
{
    /// <summary>Most time the sweep makes up at full speed after falling behind.</summary>
    public static readonly TimeSpan MaxCatchUp = TimeSpan.FromSeconds(1);

    private readonly long _start = clock.GetTimestamp();

    // How far the schedule has moved forward since the start, after stalls.
    private TimeSpan _shift;

    private long _reached;

    /// <summary>
    /// Counts <paramref name="customers"/> just reached and returns how long to wait before
    /// reaching more: zero when the sweep is behind its schedule, or has no rate.
    /// </summary>
    public TimeSpan DelayAfter(int customers)
    {
        if (rate <= 0)
        {
            return TimeSpan.Zero;
        }

        _reached += customers;
        var due = _shift + TimeSpan.FromSeconds((double)_reached / rate) - clock.GetElapsedTime(_start);
        if (due < -MaxCatchUp)
        {
            _shift += -MaxCatchUp - due;
            return TimeSpan.Zero;
        }

        return due > TimeSpan.Zero ? due : TimeSpan.Zero;
    }
}

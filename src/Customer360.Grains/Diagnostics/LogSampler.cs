using System.Collections.Concurrent;

namespace Customer360.Grains.Diagnostics;

/// <summary>
/// Lets one log line a period through for each kind of event, and counts those held back, so
/// that a flood of the same event leaves a trace without filling the log. The kinds must be
/// few (a refusal's code and a configured key's name; a method, a status code and a type of
/// exception), since each is remembered. One sampler must see every event it samples: keep it
/// in a singleton.
/// </summary>
/// <remarks>
/// The next line of a kind says how many were held back before it. When a flood ends there is
/// no next line, so the count of its last period would never be told: with
/// <c>reportHeldBack</c> given, a period that ends with some held back reports them on their
/// own, as does disposing the sampler (a server's stop). That report counts as the kind's line
/// for its period, so a kind still has at most one line a period. The timer runs only while
/// something is held back.
/// </remarks>
public sealed class LogSampler<TKind>(TimeSpan period, Action<TKind, long>? reportHeldBack = null, TimeProvider? clock = null) : IDisposable
    where TKind : notnull
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    private readonly ConcurrentDictionary<TKind, Entry> _byKind = new();

    // Armed when a kind is first held back, disarmed by a tick that finds none held back; both
    // under this lock, and a hold-back arms after it is counted, so none is left without a tick.
    private readonly Lock _timerLock = new();
    private ITimer? _timer;
    private bool _disposed;

    /// <summary>Whether to log this one; <paramref name="heldBack"/> is how many of its kind were not logged since the last.</summary>
    public bool ShouldLog(TKind kind, out long heldBack)
    {
        var entry = _byKind.GetOrAdd(kind, _ => new Entry());
        lock (entry)
        {
            var now = _clock.GetTimestamp();
            if (!entry.Logged || _clock.GetElapsedTime(entry.LastLogged, now) >= period)
            {
                heldBack = entry.HeldBack;
                entry.HeldBack = 0;
                entry.LastLogged = now;
                entry.Logged = true;
                return true;
            }

            entry.HeldBack++;
            heldBack = 0;
        }

        if (reportHeldBack is not null)
        {
            Arm();
        }

        return false;
    }

    /// <summary>Reports every kind still held back, whatever its period, and stops the timer.</summary>
    public void Dispose()
    {
        lock (_timerLock)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }

        Report(all: true);
    }

    private void Arm()
    {
        lock (_timerLock)
        {
            if (_timer is null && !_disposed)
            {
                _timer = _clock.CreateTimer(_ => Tick(), null, period, period);
            }
        }
    }

    private void Tick()
    {
        Report(all: false);
        lock (_timerLock)
        {
            if (_timer is not null && !_byKind.Values.Any(entry => Volatile.Read(ref entry.HeldBack) > 0))
            {
                _timer.Dispose();
                _timer = null;
            }
        }
    }

    private void Report(bool all)
    {
        if (reportHeldBack is null)
        {
            return;
        }

        var now = _clock.GetTimestamp();
        foreach (var (kind, entry) in _byKind)
        {
            long heldBack;
            lock (entry)
            {
                if (entry.HeldBack == 0 || (!all && _clock.GetElapsedTime(entry.LastLogged, now) < period))
                {
                    continue;
                }

                heldBack = entry.HeldBack;
                entry.HeldBack = 0;
                entry.LastLogged = now;
            }

            reportHeldBack(kind, heldBack);
        }
    }

    private sealed class Entry
    {
        public bool Logged;
        public long LastLogged;
        public long HeldBack;
    }
}

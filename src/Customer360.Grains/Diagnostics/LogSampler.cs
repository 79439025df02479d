using System.Collections.Concurrent;

namespace Customer360.Grains.Diagnostics;

/// <summary>
/// Lets one log line a period through for each kind of event, and counts those held back, so
/// that a flood of the same event leaves a trace without filling the log. The kinds must be
/// few (a refusal's code and a configured key's name; a method and a status code), since each
/// is remembered. One sampler must see every event it samples: keep it in a singleton.
/// </summary>
public sealed class LogSampler(TimeSpan period, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    private readonly ConcurrentDictionary<string, Entry> _byKind = new(StringComparer.Ordinal);

    /// <summary>Whether to log this one; <paramref name="heldBack"/> is how many of its kind were not logged since the last.</summary>
    public bool ShouldLog(string kind, out long heldBack)
    {
        var entry = _byKind.GetOrAdd(kind, _ => new Entry());
        lock (entry)
        {
            var now = _clock.GetTimestamp();
            if (entry.Logged && _clock.GetElapsedTime(entry.LastLogged, now) < period)
            {
                entry.HeldBack++;
                heldBack = 0;
                return false;
            }

            heldBack = entry.HeldBack;
            entry.HeldBack = 0;
            entry.LastLogged = now;
            entry.Logged = true;
            return true;
        }
    }

    private sealed class Entry
    {
        public bool Logged;
        public long LastLogged;
        public long HeldBack;
    }
}

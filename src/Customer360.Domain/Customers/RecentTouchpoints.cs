using System.Collections;

namespace Customer360.Domain.Customers;

/// <summary>
/// A customer's most recent touchpoints, newest first by event time (ties by event id, as
/// <see cref="Touchpoint.NewestFirst"/>), kept encoded (<see cref="TouchpointCodec"/>) and
/// decoded as they are read: reading an item builds a new <see cref="Touchpoint"/>, so take a
/// copy (<c>ToArray()</c>) to read the window more than once.
/// </summary>
public sealed class RecentTouchpoints : IReadOnlyList<Touchpoint>
{
    private readonly string _customerId;
    private readonly List<Kept> _kept = [];

    public RecentTouchpoints(string customerId, IEnumerable<Touchpoint> touchpoints, int window)
    {
        _customerId = customerId;
        foreach (var touchpoint in touchpoints)
        {
            Insert(touchpoint, window);
        }
    }

    public int Count => _kept.Count;

    public Touchpoint this[int index] => TouchpointCodec.Decode(_kept[index].Encoded, _customerId);

    /// <summary>The newest <paramref name="count"/> kept touchpoints (all of them if fewer), newest first; only those are decoded.</summary>
    public Touchpoint[] Newest(int count)
    {
        var taken = new Touchpoint[Math.Clamp(count, 0, _kept.Count)];
        for (var i = 0; i < taken.Length; i++)
        {
            taken[i] = this[i];
        }

        return taken;
    }

    /// <summary>The kept touchpoint with this event id, if there is one; only that one is decoded.</summary>
    public Touchpoint? Find(string eventId)
    {
        foreach (var kept in _kept)
        {
            if (TouchpointCodec.HasEventId(kept.Encoded, eventId))
            {
                return TouchpointCodec.Decode(kept.Encoded, _customerId);
            }
        }

        return null;
    }

    /// <summary>Bytes of encoding the kept touchpoints hold, without the arrays' own headers.</summary>
    public long EncodedBytes => _kept.Sum(k => (long)k.Encoded.Length);

    /// <summary>Keeps <paramref name="touchpoint"/> in its place, then drops the oldest beyond <paramref name="window"/>.</summary>
    public void Insert(Touchpoint touchpoint, int window)
    {
        var index = PlaceOf(touchpoint.OccurredAt.UtcTicks, touchpoint.EventId);
        if (index >= window)
        {
            // Older than every touchpoint of a full window: it would be dropped at once.
            Trim(window);
            return;
        }

        _kept.Insert(index, new Kept(touchpoint.OccurredAt.UtcTicks, TouchpointCodec.Encode(touchpoint, _customerId)));
        Trim(window);
    }

    public IEnumerator<Touchpoint> GetEnumerator()
    {
        for (var i = 0; i < _kept.Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void Trim(int window)
    {
        var keep = Math.Max(0, window);
        if (_kept.Count > keep)
        {
            _kept.RemoveRange(keep, _kept.Count - keep);
        }
    }

    /// <summary>Where a touchpoint goes in newest-first order: after every kept one that sorts before it.</summary>
    private int PlaceOf(long utcTicks, string eventId)
    {
        int low = 0, high = _kept.Count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (SortsBefore(_kept[middle], utcTicks, eventId))
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    // Newest first; on the same tick, the greater event id first (ordinal), as Touchpoint.NewestFirst.
    // The event id is read from the encoding only on a tie.
    private static bool SortsBefore(Kept kept, long utcTicks, string eventId) =>
        kept.UtcTicks != utcTicks
            ? kept.UtcTicks > utcTicks
            : string.CompareOrdinal(TouchpointCodec.EventIdOf(kept.Encoded), eventId) > 0;

    private readonly record struct Kept(long UtcTicks, byte[] Encoded);
}

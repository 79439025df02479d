using System.Collections;

namespace Customer360.Domain.Customers;

/// <summary>
/// A customer's most recent touchpoints, newest first by event time (ties by event id, as
/// <see cref="Touchpoint.NewestFirst"/>), kept encoded (<see cref="TouchpointCodec"/>) and
/// decoded as they are read: reading an item builds a new <see cref="Touchpoint"/>, so take a
/// copy (<c>ToArray()</c>) to read the window more than once.
/// </summary>
/// <remarks>
/// The encodings lie end to end in one byte array, newest first, with the start of each in an
/// array of offsets: 4 bytes of bookkeeping per kept touchpoint. An array per touchpoint would
/// cost its own 24-byte header and padding, and a slot to point at it, about 40 bytes each,
/// 2 KB for the default window of 50. A touchpoint inserted in the middle moves the older
/// encodings along, a copy of a few kilobytes at most. Both arrays grow by doubling while a
/// customer is restored, are cut to size once it is, and grow by an eighth at a time while it
/// takes touchpoints.
/// </remarks>
public sealed class RecentTouchpoints : IReadOnlyList<Touchpoint>
{
    private readonly string _customerId;
    private byte[] _bytes = [];
    private int _used;
    private int[] _starts = [];
    private int _count;

    public RecentTouchpoints(string customerId, IEnumerable<Touchpoint> touchpoints, int window)
    {
        _customerId = customerId;

        // A restore grows by doubling, as it is cut to size once it is complete.
        foreach (var touchpoint in touchpoints)
        {
            Insert(touchpoint, window, doubling: true);
        }

        TrimExcess();
    }

    public int Count => _count;

    public Touchpoint this[int index] => TouchpointCodec.Decode(Encoded(index), _customerId);

    /// <summary>The newest <paramref name="count"/> kept touchpoints (all of them if fewer), newest first; only those are decoded.</summary>
    public Touchpoint[] Newest(int count)
    {
        var taken = new Touchpoint[Math.Clamp(count, 0, _count)];
        for (var i = 0; i < taken.Length; i++)
        {
            taken[i] = this[i];
        }

        return taken;
    }

    /// <summary>The kept touchpoint with this event id, if there is one; only that one is decoded.</summary>
    public Touchpoint? Find(string eventId)
    {
        for (var i = 0; i < _count; i++)
        {
            if (TouchpointCodec.HasEventId(Encoded(i), eventId))
            {
                return this[i];
            }
        }

        return null;
    }

    /// <summary>Bytes of encoding the kept touchpoints hold, without the space kept for more.</summary>
    public long EncodedBytes => _used;

    /// <summary>Bytes the buffer has room for before it grows.</summary>
    public long CapacityBytes => _bytes.Length;

    /// <summary>Keeps <paramref name="touchpoint"/> in its place, then drops the oldest beyond <paramref name="window"/>.</summary>
    public void Insert(Touchpoint touchpoint, int window) => Insert(touchpoint, window, doubling: false);

    private void Insert(Touchpoint touchpoint, int window, bool doubling)
    {
        var keep = Math.Max(0, window);
        var index = PlaceOf(touchpoint.OccurredAt.UtcTicks, touchpoint.EventId);
        if (index >= keep)
        {
            // Older than every touchpoint of a full window: it would be dropped at once.
            Trim(keep);
            return;
        }

        // Encoded before anything is dropped; then room is made first, so that the buffer never
        // holds more than the window.
        var encoded = TouchpointCodec.EncodeToScratch(touchpoint, _customerId);
        Trim(keep - 1);
        var at = index < _count ? _starts[index] : _used;
        EnsureCapacity(_used + encoded.Length, _count + 1, keep, doubling);
        _bytes.AsSpan(at, _used - at).CopyTo(_bytes.AsSpan(at + encoded.Length));
        encoded.CopyTo(_bytes.AsSpan(at));
        for (var i = _count; i > index; i--)
        {
            _starts[i] = _starts[i - 1] + encoded.Length;
        }

        _starts[index] = at;
        _count++;
        _used += encoded.Length;
    }

    public IEnumerator<Touchpoint> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private ReadOnlySpan<byte> Encoded(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        var start = _starts[index];
        var end = index + 1 < _count ? _starts[index + 1] : _used;
        return _bytes.AsSpan(start, end - start);
    }

    private void Trim(int keep)
    {
        if (_count > keep)
        {
            _used = keep == 0 ? 0 : _starts[keep];
            _count = keep;
        }
    }

    private void EnsureCapacity(int bytes, int entries, int window, bool doubling)
    {
        if (bytes > _bytes.Length)
        {
            var step = doubling ? _bytes.Length : _bytes.Length / 8;
            Array.Resize(ref _bytes, Math.Max(bytes, _bytes.Length + Math.Max(step, 128)));
        }

        if (entries > _starts.Length)
        {
            var step = doubling ? _starts.Length : _starts.Length / 8;
            Array.Resize(ref _starts, Math.Min(window, Math.Max(entries, _starts.Length + Math.Max(step, 4))));
        }
    }

    private void TrimExcess()
    {
        if (_bytes.Length > _used)
        {
            Array.Resize(ref _bytes, _used);
        }

        if (_starts.Length > _count)
        {
            Array.Resize(ref _starts, _count);
        }
    }

    /// <summary>Where a touchpoint goes in newest-first order: after every kept one that sorts before it.</summary>
    private int PlaceOf(long utcTicks, string eventId)
    {
        int low = 0, high = _count;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (SortsBefore(Encoded(middle), utcTicks, eventId))
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

    // Newest first; on the same tick, the greater event id first (by code point), as Touchpoint.NewestFirst.
    // The event id is read from the encoding only on a tie.
    private static bool SortsBefore(ReadOnlySpan<byte> kept, long utcTicks, string eventId)
    {
        var keptTicks = TouchpointCodec.UtcTicksOf(kept);
        return keptTicks != utcTicks
            ? keptTicks > utcTicks
            : CodePointOrder.Compare(TouchpointCodec.EventIdOf(kept), eventId) > 0;
    }
}

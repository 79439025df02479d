namespace Customer360.Domain.Customers;

/// <summary>
/// The most recently applied events of one customer, by arrival: for each, a 64-bit hash of its
/// event id (<see cref="EventIdHash"/>) and its content fingerprint, 16 bytes an event in two
/// ring buffers that grow with use up to the window. A fast path in front of the log, which
/// alone knows for certain whether an event id was applied. Two ids may share a hash, so a hit
/// with another content fingerprint is confirmed by the exact id before an event is refused as a
/// conflict; a hit with the same fingerprint is the same event, as the fingerprint covers the
/// event id (see the customer grain).
/// </summary>
public sealed class AppliedEventWindow
{
    private long[] _idHashes = [];
    private long[] _fingerprints = [];

    // The slot of the oldest event, and how many slots are in use.
    private int _head;
    private int _count;

    public int Count => _count;

    /// <summary>Events the buffers have room for before they grow.</summary>
    public int Capacity => _idHashes.Length;

    /// <summary>The remembered events, oldest arrival first.</summary>
    public IEnumerable<AppliedEvent> Events
    {
        get
        {
            for (var i = 0; i < _count; i++)
            {
                var slot = (_head + i) % _idHashes.Length;
                yield return new AppliedEvent(_idHashes[slot], _fingerprints[slot]);
            }
        }
    }

    /// <summary>Remembers an event, forgetting the oldest ones beyond <paramref name="window"/> (at least 1).</summary>
    public void Add(long idHash, long fingerprint, int window)
    {
        window = Math.Max(1, window);
        if (_count == _idHashes.Length)
        {
            if (_idHashes.Length < window)
            {
                Resize(Math.Min(window, Math.Max(4, _idHashes.Length * 2)));
            }
            else
            {
                RemoveOldest();
            }
        }

        var tail = (_head + _count) % _idHashes.Length;
        _idHashes[tail] = idHash;
        _fingerprints[tail] = fingerprint;
        _count++;
        while (_count > window)
        {
            RemoveOldest();
        }
    }

    /// <summary>Lets go of the slots not in use, as a restored customer's window is complete until its next event.</summary>
    public void TrimExcess()
    {
        if (_count > 0 && _count < _idHashes.Length)
        {
            Resize(_count);
        }
    }

    public bool Contains(long idHash) => Find(idHash) >= 0;

    /// <summary>The fingerprint remembered with <paramref name="idHash"/>, if it is remembered.</summary>
    public bool TryGetFingerprint(long idHash, out long fingerprint)
    {
        var slot = Find(idHash);
        fingerprint = slot >= 0 ? _fingerprints[slot] : 0;
        return slot >= 0;
    }

    // A vectorised scan of the slots in use: about a microsecond for a full default window.
    private int Find(long idHash)
    {
        if (_count == 0)
        {
            return -1;
        }

        var end = _head + _count;
        var first = _idHashes.AsSpan(_head, Math.Min(end, _idHashes.Length) - _head).IndexOf(idHash);
        if (first >= 0)
        {
            return _head + first;
        }

        return end > _idHashes.Length ? _idHashes.AsSpan(0, end - _idHashes.Length).IndexOf(idHash) : -1;
    }

    private void RemoveOldest()
    {
        _head = (_head + 1) % _idHashes.Length;
        _count--;
    }

    private void Resize(int capacity)
    {

        var idHashes = new long[capacity];
        var fingerprints = new long[capacity];
        for (var i = 0; i < _count; i++)
        {
            var slot = (_head + i) % _idHashes.Length;
            idHashes[i] = _idHashes[slot];
            fingerprints[i] = _fingerprints[slot];
        }

        _idHashes = idHashes;
        _fingerprints = fingerprints;
        _head = 0;
    }
}

using System.Collections.Concurrent;

namespace Customer360.Domain.Customers;

/// <summary>
/// The short strings that kept touchpoints repeat (currencies, source systems, SKUs, categories,
/// attribute keys), each numbered once per process, so that an encoded touchpoint
/// (<see cref="TouchpointCodec"/>) names one in one to three bytes instead of spelling it out, and
/// decoding hands back the one shared string. Numbers are given in order of first use, so the
/// most common strings (a shop's currency, its tills) get the one-byte numbers (the first 64;
/// the first 8,192 take two bytes).
/// </summary>
/// <remarks>
/// Bounded: strings longer than <see cref="MaxLength"/> are never numbered, and once
/// <see cref="Capacity"/> strings are, the rest are written out in full, as before there was a
/// table. At the default capacity the table holds about 15 MB at most (its slots, 512 KB, from
/// the start). Attribute values are
/// never numbered: they may be unique to each touchpoint, and would fill it. It only grows: a
/// number is written into encodings that live as long as their customer, so a number must
/// always read back the same string. Written here because a pool that evicts (such as the one
/// decoding uses for strings written out) cannot promise that.
/// </remarks>
public sealed class KeptStrings
{
    /// <summary>The longest string, in characters, that is given a number.</summary>
    public const int MaxLength = 64;

    private readonly ConcurrentDictionary<string, int> _numbers = new(StringComparer.Ordinal);
    private readonly string?[] _strings;
    private readonly Lock _adding = new();
    private int _count;

    public KeptStrings(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
        _strings = new string?[capacity];
    }

    /// <summary>The table every customer's kept touchpoints use: 65,536 strings at most.</summary>
    public static KeptStrings Shared { get; } = new(65_536);

    public int Capacity { get; }

    /// <summary>How many strings have a number.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The string numbered <paramref name="number"/>.</summary>
    public string this[int number] =>
        (uint)number < (uint)Count
            ? Volatile.Read(ref _strings[number])!
            : throw new InvalidDataException($"A kept touchpoint names string {number}; this process has numbered {Count}.");

    /// <summary>The number of <paramref name="value"/>, given now if it has none; -1 if it is too long or the table is full.</summary>
    public int NumberOf(string value)
    {
        if (value.Length > MaxLength)
        {
            return -1;
        }

        if (_numbers.TryGetValue(value, out var number))
        {
            return number;
        }

        // Full: no lock for the strings that are written out from now on.
        if (Count >= Capacity)
        {
            return -1;
        }

        lock (_adding)
        {
            if (_numbers.TryGetValue(value, out number))
            {
                return number;
            }

            if (_count == Capacity)
            {
                return -1;
            }

            // The string is in its slot, and the count covers it, before any encoding can carry
            // its number: another thread that reads the number reads the string too.
            number = _count;
            Volatile.Write(ref _strings[number], value);
            Volatile.Write(ref _count, number + 1);
            _numbers[value] = number;
            return number;
        }
    }
}

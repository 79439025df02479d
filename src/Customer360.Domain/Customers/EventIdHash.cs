using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace Customer360.Domain.Customers;

/// <summary>
/// A stable 64-bit hash of an event id (XXH3 of its UTF-16 code units, little-endian), which is
/// what a customer remembers of each recently applied event instead of the id itself. Stored in
/// snapshots, so the function must never change, and must not depend on the machine: a
/// snapshot written on one host is read on another.
/// </summary>
public static class EventIdHash
{
    public static long Of(string eventId) => unchecked((long)XxHash3.HashToUInt64(
        BitConverter.IsLittleEndian
            ? MemoryMarshal.AsBytes(eventId.AsSpan())
            : Encoding.Unicode.GetBytes(eventId)));
}

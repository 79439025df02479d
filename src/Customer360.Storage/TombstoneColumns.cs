using System.Data.Common;
using Customer360.Grains.Storage;

namespace Customer360.Storage;

/// <summary>The suppression record as both stores keep it on the customer's row: erased_ticks, erased_version.</summary>
internal static class TombstoneColumns
{
    /// <summary>The record read from <paramref name="row"/>'s columns <paramref name="ticks"/> and the one after it; null when the customer was never erased.</summary>
    public static CustomerTombstone? Read(DbDataReader row, int ticks) =>
        row.IsDBNull(ticks) ? null : new CustomerTombstone(new DateTimeOffset(row.GetInt64(ticks), TimeSpan.Zero), row.GetInt64(ticks + 1));

    /// <summary>
    /// The log's kind for an entry an erasure blanked: it keeps its customer key and sequence and
    /// nothing else, so that a writer that had not heard of the erasure finds the sequence taken
    /// and learns it is stale, instead of writing into the erased history. The erasure also takes
    /// its own version this way. Every read of entries passes over these rows.
    /// </summary>
    public const int ErasedEntryKind = 0;

    /// <summary>The SET list that blanks a log entry: everything but its customer key and sequence (and, in the log's commit order, its position).</summary>
    public const string BlankEntry =
        "kind = 0, event_id = NULL, occurred_ticks = NULL, recorded_ticks = 0, fingerprint = 0, payload = '', touchpoint_kind = NULL, amount = NULL";
}

using System.Data.Common;
using Customer360.Grains.Storage;

namespace Customer360.Storage;

/// <summary>The suppression record as both stores keep it on the customer's row: erased_ticks, erased_version.</summary>
internal static class TombstoneColumns
{
    /// <summary>The record read from <paramref name="row"/>'s columns <paramref name="ticks"/> and the one after it; null when the customer was never erased.</summary>
    public static CustomerTombstone? Read(DbDataReader row, int ticks) =>
        row.IsDBNull(ticks) ? null : new CustomerTombstone(new DateTimeOffset(row.GetInt64(ticks), TimeSpan.Zero), row.GetInt64(ticks + 1));
}

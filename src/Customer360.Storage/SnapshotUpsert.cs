namespace Customer360.Storage;

/// <summary>
/// The snapshot upsert's columns and conflict rule, the same SQL on PostgreSQL and SQLite: a
/// snapshot replaces the stored one when its version is newer, or at the same version when the
/// stored one has no value summary yet (a snapshot written before summaries were kept). Each
/// store supplies its own rows (unnest on PostgreSQL, one VALUES row per statement on SQLite).
/// </summary>
internal static class SnapshotUpsert
{
    public const string Columns =
        """
        customer360_snapshot (service_id, customer_id, version, payload,
            summary_purchase_days, summary_first_purchase_day, summary_last_purchase_day,
            summary_repeat_occasion_value, summary_occasion_value, summary_net_spend, summary_preferred_channel)
        """;

    /// <summary>
    /// A query with a row when the customer was erased at or after the snapshot's version: such
    /// a snapshot (one queued before the erasure, or from an activation that had not heard of
    /// it) is of the customer as it was, and is not stored. One index probe per snapshot, which
    /// are written every few dozen changes, not per entry.
    /// </summary>
    public static string ErasedSince(string serviceId, string customerId, string version) =>
        $"SELECT 1 FROM customer360_customer AS erased WHERE erased.service_id = {serviceId} AND erased.customer_id = {customerId} AND erased.erased_version >= {version}";

    public const string OnConflict =
        """
        ON CONFLICT (service_id, customer_id) DO UPDATE SET version = excluded.version, payload = excluded.payload,
            summary_purchase_days = excluded.summary_purchase_days,
            summary_first_purchase_day = excluded.summary_first_purchase_day,
            summary_last_purchase_day = excluded.summary_last_purchase_day,
            summary_repeat_occasion_value = excluded.summary_repeat_occasion_value,
            summary_occasion_value = excluded.summary_occasion_value,
            summary_net_spend = excluded.summary_net_spend,
            summary_preferred_channel = excluded.summary_preferred_channel
        WHERE excluded.version > customer360_snapshot.version
           OR (excluded.version = customer360_snapshot.version AND customer360_snapshot.summary_purchase_days IS NULL)
        """;
}

using Npgsql;

namespace Customer360.Storage;

/// <summary>
/// Whether a PostgreSQL database holds the schema this server needs. A server started on a
/// database whose schema is older (<c>deploy/postgres/schema.sql</c> not applied again after an
/// upgrade) would otherwise start, join its cluster and report healthy, and then fail every
/// activation and commit that touches a missing column, each answered UNAVAILABLE as if the
/// database were down. Checked once at start-up, it stops the start naming what is missing.
/// </summary>
public static class PostgresSchema
{
    /// <summary>
    /// The tables and columns this server reads or writes, in the current schema (the first of the
    /// connection's search path). A column added by an upgrade of <c>schema.sql</c> is added here
    /// with it. Names as PostgreSQL folds them: Orleans' tables are created unquoted.
    /// </summary>
    private static readonly (string Table, string[] Columns)[] Needed =
    [
        ("orleansquery", ["querykey", "querytext"]),
        ("customer360grainstate", ["grainidhash", "grainidn0", "grainidn1", "graintypehash", "graintypestring", "grainidextensionstring", "serviceid", "payloadbinary", "modifiedon", "version"]),
        ("customer360membershipversion", ["deploymentid", "timestamp", "version"]),
        ("customer360membership", ["deploymentid", "address", "port", "generation", "siloname", "hostname", "status", "proxyport", "suspecttimes", "starttime", "iamalivetime"]),
        ("customer360_customer", ["customer_key", "service_id", "customer_id", "erased_ticks", "erased_version"]),
        ("customer360_log", ["customer_key", "sequence", "position", "kind", "event_id", "occurred_ticks", "recorded_ticks", "fingerprint", "payload", "touchpoint_kind", "amount"]),
        ("customer360_snapshot", ["service_id", "customer_id", "version", "payload", "summary_purchase_days", "summary_first_purchase_day", "summary_last_purchase_day", "summary_repeat_occasion_value", "summary_occasion_value", "summary_net_spend", "summary_preferred_channel"]),
        ("customer360_checkpoint", []),
        ("customer360_segment", ["bucket_count", "writer"]),
        ("customer360_segment_bucket", []),
    ];

    /// <summary>
    /// What the database lacks, as "table" or "table.column", in the order above: empty when it
    /// has everything. Throws what Npgsql throws when the database cannot be reached.
    /// </summary>
    public static IReadOnlyList<string> Missing(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1)",
            connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. Needed.Select(n => n.Table)] });
        var present = new HashSet<(string, string)>();
        var tables = new HashSet<string>(StringComparer.Ordinal);
        using (var row = command.ExecuteReader())
        {
            while (row.Read())
            {
                tables.Add(row.GetString(0));
                present.Add((row.GetString(0), row.GetString(1)));
            }
        }

        var missing = new List<string>();
        foreach (var (table, columns) in Needed)
        {
            if (!tables.Contains(table))
            {
                missing.Add(table);
                continue;
            }

            missing.AddRange(columns.Where(c => !present.Contains((table, c))).Select(c => $"{table}.{c}"));
        }

        return missing;
    }
}

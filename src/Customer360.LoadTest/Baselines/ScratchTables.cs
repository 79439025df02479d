using Npgsql;

namespace Customer360.LoadTest.Baselines;

/// <summary>
/// The baselines' own tables, next to the engine's in the same database. The log-shaped ones copy
/// the column types of <c>customer360_log</c> (deploy/postgres/schema.sql) and carry its primary
/// key and its unique (service, customer, event id) index, the two structures every durable
/// touchpoint write must maintain; the log's secondary time and BRIN indexes are left out, which
/// makes the baselines a floor. Each run drops and recreates them.
/// </summary>
internal static class ScratchTables
{
    public const string EngineLog = "customer360_log";
    public const string CopyLog = "customer360_bench_copy";
    public const string NaiveLog = "customer360_bench_naive_log";
    public const string NaiveCustomer = "customer360_bench_naive_customer";

    /// <summary>Fails with a clear message when the engine's schema was never applied to this database.</summary>
    public static async Task RequireEngineSchemaAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand($"SELECT to_regclass('{EngineLog}') IS NOT NULL");
        if (await command.ExecuteScalarAsync(cancellationToken) is not true)
        {
            throw new BaselineException(
                $"table {EngineLog} not found in the --postgres database; apply the schema first (deploy/postgres/apply-schema.sh)");
        }
    }

    /// <summary>An empty table shaped like the engine's log, with its primary key and unique event index.</summary>
    public static Task RecreateLogAsync(NpgsqlDataSource source, string table, CancellationToken cancellationToken) =>
        ExecuteAsync(
            source,
            $"""
            DROP TABLE IF EXISTS {table};
            CREATE TABLE {table} (LIKE {EngineLog} INCLUDING IDENTITY);
            ALTER TABLE {table} ADD PRIMARY KEY (service_id, customer_id, sequence);
            CREATE UNIQUE INDEX ux_{table}_event ON {table} (service_id, customer_id, event_id);
            """,
            cancellationToken);

    /// <summary>The naive design's per-customer aggregates, one row per customer.</summary>
    public static Task RecreateNaiveCustomerAsync(NpgsqlDataSource source, CancellationToken cancellationToken) =>
        ExecuteAsync(
            source,
            $"""
            DROP TABLE IF EXISTS {NaiveCustomer};
            CREATE TABLE {NaiveCustomer}
            (
                customer_id      text        COLLATE "C" PRIMARY KEY,
                touchpoint_count bigint      NOT NULL,
                net_spend        numeric     NOT NULL,
                last_occurred    timestamptz NOT NULL
            );
            """,
            cancellationToken);

    public static Task DropAsync(NpgsqlDataSource source, IEnumerable<string> tables, CancellationToken cancellationToken) =>
        ExecuteAsync(source, string.Concat(tables.Select(t => $"DROP TABLE IF EXISTS {t};")), cancellationToken);

    /// <summary>Rows in <paramref name="table"/>, to confirm a baseline wrote everything it was given.</summary>
    public static async Task<long> CountAsync(NpgsqlDataSource source, string table, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand($"SELECT count(*) FROM {table}");
        return (long)(await command.ExecuteScalarAsync(cancellationToken) ?? 0L);
    }

    private static async Task ExecuteAsync(NpgsqlDataSource source, string sql, CancellationToken cancellationToken)
    {
        await using var command = source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

using Npgsql;

namespace Customer360.LoadTest.Baselines;

/// <summary>
/// The baselines' own tables, next to the engine's in the same database. The log-shaped ones copy
/// the column types of <c>customer360_log</c> (deploy/postgres/schema.sql), which refers to its
/// customers by a <c>bigint</c> customer key, and carry its primary key (customer key, sequence)
/// and its unique (customer key, event id) index, the two structures every durable touchpoint
/// write must maintain; the log's time and position indexes are left out, which makes the
/// baselines a floor. Each run drops and recreates them.
/// </summary>
internal static class ScratchTables
{
    public const string EngineLog = "customer360_log";
    public const string CopyLog = "customer360_bench_copy";
    public const string NaiveLog = "customer360_bench_naive_log";
    public const string NaiveCustomer = "customer360_bench_naive_customer";

    /// <summary>
    /// Claims the scratch tables of the current schema for this run: the tables have fixed names,
    /// so a second run on the same database at the same time would drop the first one's tables
    /// under it. The claim is a session-level advisory lock on a connection of its own, released
    /// when the claim is disposed; a run that finds it taken fails with a clear message.
    /// </summary>
    public static async Task<IAsyncDisposable> ClaimAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        var connection = await source.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({ClaimKey})", connection);
            if (await command.ExecuteScalarAsync(cancellationToken) is not true)
            {
                throw new BaselineException(
                    "another c360-load run is measuring its baselines in this database; wait for it to finish, or give --postgres another database");
            }

            return new Claim(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private const string ClaimKey = "hashtext(coalesce(current_schema(), '') || '/customer360 baselines')";

    /// <summary>
    /// Releases the lock before the connection goes back to the pool: a pooled connection keeps
    /// its session, and with it a session-level lock.
    /// </summary>
    private sealed class Claim(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({ClaimKey})", connection);
                await command.ExecuteNonQueryAsync();
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }

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

    /// <summary>An empty table shaped like the engine's log, with its primary key and unique event index, both on the customer key.</summary>
    public static Task RecreateLogAsync(NpgsqlDataSource source, string table, CancellationToken cancellationToken) =>
        ExecuteAsync(
            source,
            $"""
            DROP TABLE IF EXISTS {table};
            CREATE TABLE {table} (LIKE {EngineLog} INCLUDING IDENTITY);
            ALTER TABLE {table} ADD PRIMARY KEY (customer_key, sequence);
            CREATE UNIQUE INDEX ux_{table}_event ON {table} (customer_key, event_id);
            """,
            cancellationToken);

    /// <summary>
    /// The naive design's per-customer aggregates, one row per customer, found by its text id; the
    /// row also numbers the customer with the key its log rows refer to, drawn when the row is
    /// first inserted. The key gets no index of its own: the design's reads come in by customer id.
    /// </summary>
    public static Task RecreateNaiveCustomerAsync(NpgsqlDataSource source, CancellationToken cancellationToken) =>
        ExecuteAsync(
            source,
            $"""
            DROP TABLE IF EXISTS {NaiveCustomer};
            CREATE TABLE {NaiveCustomer}
            (
                customer_id      text        COLLATE "C" PRIMARY KEY,
                customer_key     bigint      GENERATED ALWAYS AS IDENTITY,
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

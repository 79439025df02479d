using Customer360.Domain.Customers;
using Customer360.Grains.Storage;
using Customer360.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static Customer360.EndToEnd.Tests.Storage.TextKeyedLogFixture;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// A PostgreSQL database made by an earlier version, whose log was keyed by service and customer
/// id as text, is brought up to date by applying deploy/postgres/schema.sql, and the engine then
/// reads everything it held. Each test works in a schema of its own.
/// </summary>
public sealed class PostgresUpgradeTests
{
    /// <summary>The log as earlier versions created it, before the value columns were added.</summary>
    private const string TextKeyedLog =
        """
        CREATE TABLE customer360_log
        (
            service_id     text     COLLATE "C" NOT NULL,
            customer_id    text     COLLATE "C" NOT NULL,
            sequence       bigint   NOT NULL,
            position       bigint   GENERATED ALWAYS AS IDENTITY,
            kind           smallint NOT NULL,
            event_id       text     COLLATE "C" NULL,
            occurred_ticks bigint   NULL,
            recorded_ticks bigint   NOT NULL,
            fingerprint    bigint   NOT NULL,
            payload        text     NOT NULL,
            PRIMARY KEY (service_id, customer_id, sequence)
        );
        CREATE UNIQUE INDEX ux_customer360_log_event ON customer360_log (service_id, customer_id, event_id);
        CREATE INDEX ix_customer360_log_time ON customer360_log (service_id, customer_id, occurred_ticks, event_id) WHERE kind = 1;
        CREATE INDEX ix_customer360_log_position ON customer360_log (position);
        """;

    [Fact]
    public async Task ATextKeyedLogIsMovedToCustomerKeysKeepingEveryEntryAndPosition()
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("upgrade");
        var earlier = TextKeyedLogFixture.Earlier;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, TextKeyedLog);
            foreach (var (service, entry) in earlier)
            {
                await InsertTextKeyedAsync(connection, service, entry);
            }
        }

        var lastPosition = await ScalarAsync(connectionString, "SELECT max(position) FROM customer360_log");

        // Applying the schema twice is as harmless as once.
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);

        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'customer360_log_text_keyed'"));
        Assert.Equal(3L, await ScalarAsync(connectionString, "SELECT count(*) FROM customer360_customer"));

        await using var shop = new PostgresCustomerStore(connectionString, "shop", new GroupCommitOptions(), NullLogger<PostgresCustomerStore>.Instance);
        var c1 = await shop.ReadCustomerAsync("c1");
        Assert.Null(c1.Snapshot);
        Assert.Equal(
            earlier.Where(e => e.Service == "shop" && e.Entry.CustomerId == "c1").Select(e => (e.Entry.Sequence, e.Entry.Kind, e.Entry.Fingerprint, e.Entry.Payload)),
            c1.Entries.Select(e => (e.Sequence, e.Kind, e.Fingerprint, e.Payload)));
        Assert.Equal(new LoggedEvent(3, earlier[2].Entry.Fingerprint), await shop.FindEventAsync("c1", "p2"));
        Assert.Equal(["c1", "c2"], await shop.ReadCustomerIdsAsync(null, 10));
        Assert.Equal(2L, await shop.CountCustomersAsync());

        // The value columns the earliest logs lacked are filled from the payloads on the way.
        Assert.Equal(
            TextKeyedLogFixture.ShopPurchaseDays,
            (await shop.ReadPurchaseDaysAsync(null).ToListAsync()).OrderBy(d => d.CustomerId, StringComparer.Ordinal));

        await AssertPositionsAndExactlyOnceKeptAsync(shop, lastPosition, beforeC2: lastPosition - 2);

        // The other service kept its own customer, apart from this one's.
        await using var bank = new PostgresCustomerStore(connectionString, "bank", new GroupCommitOptions(), NullLogger<PostgresCustomerStore>.Instance);
        var bankC1 = await bank.ReadCustomerAsync("c1");
        Assert.Equal([earlier[4].Entry.Payload], bankC1.Entries.Select(e => e.Payload));
        Assert.Equal(["c1"], await bank.ReadCustomerIdsAsync(null, 10));
    }

    [Fact]
    public async Task AnEmptyDatabaseGetsTheKeyedLogAndNoLeftovers()
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("upgrade");
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);

        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'customer360_log' AND column_name = 'service_id'"));
        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'customer360_log_text_keyed'"));

        await using var store = new PostgresCustomerStore(connectionString, "fresh", new GroupCommitOptions(), NullLogger<PostgresCustomerStore>.Instance);
        Assert.True(await store.AppendAsync(CustomerLogEntry.For(Purchase("c1", "p1", At, 1m), 1, At)));
        Assert.Equal(1L, await store.LastPositionAsync());
    }

    private static async Task InsertTextKeyedAsync(NpgsqlConnection connection, string service, CustomerLogEntry entry)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO customer360_log (service_id, customer_id, sequence, kind, event_id, occurred_ticks, recorded_ticks, fingerprint, payload)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """,
            connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = service });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.CustomerId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = entry.Sequence });
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)entry.Kind });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)entry.Touchpoint?.EventId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)entry.Touchpoint?.OccurredAt.UtcTicks ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = entry.RecordedAt.UtcTicks });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = entry.Fingerprint });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Payload });
        await command.ExecuteNonQueryAsync();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}

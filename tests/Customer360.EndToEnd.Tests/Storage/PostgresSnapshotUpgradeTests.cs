using Customer360.Domain.Customers;
using Customer360.Domain.Values;
using Customer360.Grains.Storage;
using Customer360.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// Snapshots written by versions that kept no value summary get the summary columns, empty,
/// when deploy/postgres/schema.sql is applied; such a customer takes a summary with its next
/// snapshot, even at the same version. Customer tables from before erasure get its columns, empty.
/// Each test works in a schema of its own.
/// </summary>
public sealed class PostgresSnapshotUpgradeTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AnEarlierSnapshotTableGetsEmptySummaryColumnsAndTakesASummaryAtTheSameVersion()
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("snapshots");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection,
                """
                CREATE TABLE customer360_snapshot
                (
                    service_id  text   COLLATE "C" NOT NULL,
                    customer_id text   COLLATE "C" NOT NULL,
                    version     bigint NOT NULL,
                    payload     bytea  NOT NULL,
                    PRIMARY KEY (service_id, customer_id)
                );
                INSERT INTO customer360_snapshot (service_id, customer_id, version, payload) VALUES ('shop', 'c1', 1, '\x01');
                """);
        }

        await PostgresScratchSchema.ApplySchemaAsync(connectionString);
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);

        await using var store = new PostgresCustomerStore(connectionString, "shop", new GroupCommitOptions(), NullLogger<PostgresCustomerStore>.Instance);
        Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1"), 1, At)));
        var before = await store.ReadSnapshotAsync("c1");
        Assert.Equal([(byte)1], before!.Payload);
        Assert.Null(before.Summary);
        Assert.Null((await store.ReadSweepPageAsync(null, 1)).Single().Summary);

        var summary = new CustomerValueSummary(1, 0, null, null, 0m, 0m, 0m, Channel.Web);
        store.SaveSnapshot(new CustomerSnapshot("c1", 1, [2], summary));
        Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c2"), 1, At)));
        Assert.Equal(summary, (await store.ReadSweepPageAsync(null, 1)).Single().Summary);
    }

    [Fact]
    public async Task AnEarlierCustomerTableGetsEmptyErasureColumnsAndItsCustomersCanBeErased()
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("erasure");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection,
                """
                CREATE TABLE customer360_customer
                (
                    customer_key bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    service_id   text   COLLATE "C" NOT NULL,
                    customer_id  text   COLLATE "C" NOT NULL,
                    UNIQUE (service_id, customer_id)
                );
                INSERT INTO customer360_customer (service_id, customer_id) VALUES ('shop', 'c0');
                """);
        }

        await PostgresScratchSchema.ApplySchemaAsync(connectionString);
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);

        await using var store = new PostgresCustomerStore(connectionString, "shop", new GroupCommitOptions(), NullLogger<PostgresCustomerStore>.Instance);
        Assert.Null((await store.ReadCustomerAsync("c0")).Tombstone);
        Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1"), 1, At)));
        Assert.Equal(1, (await store.EraseCustomerAsync("c1", At.AddDays(1)))?.EntriesRemoved);
        Assert.Equal(new CustomerTombstone(At.AddDays(1), 2), (await store.ReadCustomerAsync("c1")).Tombstone);
        Assert.Null((await store.ReadCustomerAsync("c0")).Tombstone);
    }

    private static Touchpoint Visit(string customerId) => new()
    {
        EventId = "v1",
        CustomerId = customerId,
        OccurredAt = At,
        Channel = Channel.Web,
        Kind = TouchpointKind.Visit,
    };

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

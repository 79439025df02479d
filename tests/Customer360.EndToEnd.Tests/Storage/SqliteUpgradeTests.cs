using Customer360.Domain.Customers;
using Customer360.Grains.Storage;
using Customer360.Server.Hosting;
using Customer360.Storage;
using Microsoft.Data.Sqlite;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>An embedded database made by an earlier version is brought up to date when the server starts.</summary>
public sealed class SqliteUpgradeTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ALogWithoutTheValueColumnsGetsThemFilledFromItsPayloads()
    {
        var connectionString = EmbeddedDatabase.Create();
        var store = EmbeddedDatabase.CustomerStore(connectionString, "upgrade");
        await using (store)
        {
            var purchase = new Touchpoint
            {
                EventId = "p1",
                CustomerId = "c1",
                OccurredAt = At,
                Channel = Channel.Web,
                Kind = TouchpointKind.Purchase,
                Amount = new Money(20m, "USD"),
                ReportingAmount = 18.4m,
            };
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(purchase, 1, At)));
        }

        // What an earlier version left: the same log without the two columns.
        await using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "ALTER TABLE customer360_log DROP COLUMN touchpoint_kind; ALTER TABLE customer360_log DROP COLUMN amount;";
            drop.ExecuteNonQuery();
        }

        SqliteStore.EnsureCreated(connectionString);
        SqliteStore.EnsureCreated(connectionString);

        var reopened = EmbeddedDatabase.CustomerStore(connectionString, "upgrade");
        await using (reopened)
        {
            var days = await reopened.ReadPurchaseDaysAsync(null).ToListAsync();
            Assert.Equal([new CustomerDay("c1", new DailyActivity(DailyActivity.DayOf(At), 18.4m, 0m, 1))], days);
        }
    }

    [Fact]
    public async Task SnapshotsWithoutValueSummaryColumnsGetThemEmptyAndTakeASummaryAtTheSameVersion()
    {
        var connectionString = EmbeddedDatabase.Create();

        // What an earlier version left: a snapshot table without the summary columns, and a snapshot in it.
        await using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var old = connection.CreateCommand();
            old.CommandText =
                """
                DROP TABLE customer360_snapshot;
                CREATE TABLE customer360_snapshot
                (
                    service_id  TEXT    NOT NULL COLLATE BINARY,
                    customer_id TEXT    NOT NULL COLLATE BINARY,
                    version     INTEGER NOT NULL,
                    payload     BLOB    NOT NULL,
                    PRIMARY KEY (service_id, customer_id)
                ) WITHOUT ROWID;
                INSERT INTO customer360_snapshot (service_id, customer_id, version, payload) VALUES ('upgrade', 'c1', 1, x'01');
                """;
            old.ExecuteNonQuery();
        }

        SqliteStore.EnsureCreated(connectionString);
        SqliteStore.EnsureCreated(connectionString);

        var store = EmbeddedDatabase.CustomerStore(connectionString, "upgrade");
        await using (store)
        {
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1"), 1, At)));
            var before = await store.ReadSnapshotAsync("c1");
            Assert.Equal([(byte)1], before!.Payload);
            Assert.Null(before.Summary);

            var summary = new Domain.Values.CustomerValueSummary(1, 0, null, null, 0m, 0m, 0m, Channel.Web);
            store.SaveSnapshot(new CustomerSnapshot("c1", 1, [2], summary));
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c2"), 1, At)));
            Assert.Equal(summary, (await store.ReadSweepPageAsync(null, 1)).Single().Summary);
        }
    }

    private static Touchpoint Visit(string customerId) => new()
    {
        EventId = "v1",
        CustomerId = customerId,
        OccurredAt = At,
        Channel = Channel.Web,
        Kind = TouchpointKind.Visit,
    };
}

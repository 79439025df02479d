using Customer360.Domain.Customers;
using Customer360.Grains.Storage;
using Customer360.Server.Hosting;
using Customer360.Storage;
using Microsoft.Data.Sqlite;
using static Customer360.EndToEnd.Tests.Storage.TextKeyedLogFixture;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>An embedded database made by an earlier version is brought up to date when the server starts.</summary>
public sealed class SqliteUpgradeTests
{
    /// <summary>The log as earlier versions created it, keyed by service and customer id as text, in place of the keyed one.</summary>
    private static string TextKeyedLog(bool withValueColumns) =>
        $"""
        DROP TABLE customer360_log;
        DROP TABLE customer360_customer;
        {TextKeyedTable("customer360_log", withValueColumns)}
        CREATE UNIQUE INDEX ux_customer360_log_sequence ON customer360_log (service_id, customer_id, sequence);
        CREATE UNIQUE INDEX ux_customer360_log_event ON customer360_log (service_id, customer_id, event_id);
        CREATE INDEX ix_customer360_log_time ON customer360_log (service_id, customer_id, occurred_ticks, event_id) WHERE kind = 1;
        CREATE INDEX ix_customer360_log_service_position ON customer360_log (service_id, position);
        """;

    private static string TextKeyedTable(string name, bool withValueColumns) =>
        $"""
        CREATE TABLE {name}
        (
            position       INTEGER PRIMARY KEY,
            service_id     TEXT    NOT NULL COLLATE BINARY,
            customer_id    TEXT    NOT NULL COLLATE BINARY,
            sequence       INTEGER NOT NULL,
            kind           INTEGER NOT NULL,
            event_id       TEXT    NULL COLLATE BINARY,
            occurred_ticks INTEGER NULL,
            recorded_ticks INTEGER NOT NULL,
            fingerprint    INTEGER NOT NULL,
            payload        TEXT    NOT NULL
            {(withValueColumns ? ", touchpoint_kind INTEGER NULL, amount TEXT NULL" : "")}
        );
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ATextKeyedLogIsMovedToCustomerKeysKeepingEveryEntryAndPosition(bool withValueColumns)
    {
        var connectionString = EmbeddedDatabase.Create();
        var earlier = TextKeyedLogFixture.Earlier;

        // What an earlier version left. Positions start past 1 with a gap, as after rolled-back batches.
        await using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Execute(connection, TextKeyedLog(withValueColumns));
            var position = 40L;
            foreach (var (service, entry) in earlier)
            {
                position += 3;
                using var insert = connection.CreateCommand();
                insert.CommandText = withValueColumns
                    ? "INSERT INTO customer360_log VALUES (@pos, @svc, @c, @s, @k, @e, @o, @r, @f, @p, @tk, @a)"
                    : "INSERT INTO customer360_log VALUES (@pos, @svc, @c, @s, @k, @e, @o, @r, @f, @p)";
                insert.Parameters.AddWithValue("@pos", position);
                insert.Parameters.AddWithValue("@svc", service);
                insert.Parameters.AddWithValue("@c", entry.CustomerId);
                insert.Parameters.AddWithValue("@s", entry.Sequence);
                insert.Parameters.AddWithValue("@k", (int)entry.Kind);
                insert.Parameters.AddWithValue("@e", (object?)entry.Touchpoint?.EventId ?? DBNull.Value);
                insert.Parameters.AddWithValue("@o", (object?)entry.Touchpoint?.OccurredAt.UtcTicks ?? DBNull.Value);
                insert.Parameters.AddWithValue("@r", entry.RecordedAt.UtcTicks);
                insert.Parameters.AddWithValue("@f", entry.Fingerprint);
                insert.Parameters.AddWithValue("@p", entry.Payload);
                insert.Parameters.AddWithValue("@tk", (object?)entry.TouchpointKind ?? DBNull.Value);
                insert.Parameters.AddWithValue("@a", (object?)entry.ReportingAmount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? DBNull.Value);
                insert.ExecuteNonQuery();
            }
        }

        const long lastPosition = 40 + (5 * 3);

        // Starting twice is as harmless as once.
        SqliteStore.EnsureCreated(connectionString);
        SqliteStore.EnsureCreated(connectionString);

        Assert.Equal(0L, Scalar(connectionString, $"SELECT count(*) FROM sqlite_schema WHERE name = '{SqliteStore.TextKeyedLog}'"));
        Assert.Equal(0L, Scalar(connectionString, "SELECT count(*) FROM pragma_table_info('customer360_log') WHERE name = 'service_id'"));
        Assert.Equal(3L, Scalar(connectionString, "SELECT count(*) FROM customer360_customer"));
        Assert.Equal(3L, Scalar(connectionString, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'customer360_log'"));

        var shop = EmbeddedDatabase.CustomerStore(connectionString, "shop");
        await using (shop)
        {
            var c1 = await ((ICustomerStore)shop).ReadCustomerAsync("c1");
            Assert.Null(c1.Snapshot);
            Assert.Equal(
                earlier.Where(e => e.Service == "shop" && e.Entry.CustomerId == "c1").Select(e => (e.Entry.Sequence, e.Entry.Kind, e.Entry.Fingerprint, e.Entry.Payload)),
                c1.Entries.Select(e => (e.Sequence, e.Kind, e.Fingerprint, e.Payload)));
            Assert.Equal(new LoggedEvent(3, earlier[2].Entry.Fingerprint), await shop.FindEventAsync("c1", "p2"));
            Assert.Equal(["p2", "p1"], (await shop.ReadTouchpointsAsync("c1", null, null, 10)).Select(t => t.EventId));
            Assert.Equal(["c1", "c2"], await shop.ReadCustomerIdsAsync(null, 10));
            Assert.Equal(["c1", "c2"], (await shop.ReadSweepPageAsync(null, 10)).Select(c => c.CustomerId));
            Assert.Equal(2L, await shop.CountCustomersAsync());

            // The value columns the earliest logs lacked are filled from the payloads on the way.
            Assert.Equal(
                TextKeyedLogFixture.ShopPurchaseDays,
                await shop.ReadPurchaseDaysAsync(null).ToListAsync());

            // (The newest position is the file's, whichever service wrote it; entries are 3 apart.)
            await AssertPositionsAndExactlyOnceKeptAsync(shop, lastPosition, beforeC2: lastPosition - 4);
        }

        // The other service kept its own customer, apart from this one's.
        var bank = EmbeddedDatabase.CustomerStore(connectionString, "bank");
        await using (bank)
        {
            Assert.Equal([earlier[4].Entry.Payload], (await ((ICustomerStore)bank).ReadCustomerAsync("c1")).Entries.Select(e => e.Payload));
            Assert.Equal(["c1"], await bank.ReadCustomerIdsAsync(null, 10));
            Assert.Equal(lastPosition + 2, await bank.LastPositionAsync());
            Assert.Empty(await bank.CustomersAfterAsync(lastPosition));
        }
    }

    [Fact]
    public async Task AMoveCutShortIsFinishedOnTheNextStartAndAnOlderVersionsRunSinceIsRefused()
    {
        // A crash after the old log was set aside: it sits beside the new, empty keyed log.
        var connectionString = EmbeddedDatabase.Create();
        var entry = CustomerLogEntry.For(Purchase("c1", "p1", At, 20m), 1, At);
        await using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Execute(connection, TextKeyedTable(SqliteStore.TextKeyedLog, withValueColumns: true));
            using var insert = connection.CreateCommand();
            insert.CommandText = $"INSERT INTO {SqliteStore.TextKeyedLog} VALUES (7, 'shop', 'c1', 1, 1, 'p1', @o, @o, @f, @p, 1, '20')";
            insert.Parameters.AddWithValue("@o", At.UtcTicks);
            insert.Parameters.AddWithValue("@f", entry.Fingerprint);
            insert.Parameters.AddWithValue("@p", entry.Payload);
            insert.ExecuteNonQuery();
        }

        SqliteStore.EnsureCreated(connectionString);

        Assert.Equal(0L, Scalar(connectionString, $"SELECT count(*) FROM sqlite_schema WHERE name = '{SqliteStore.TextKeyedLog}'"));
        var shop = EmbeddedDatabase.CustomerStore(connectionString, "shop");
        await using (shop)
        {
            Assert.Equal(new LoggedEvent(1, entry.Fingerprint), await shop.FindEventAsync("c1", "p1"));
            Assert.Equal(7L, await shop.LastPositionAsync());
        }

        // A crash after the copy, before the keyed log's indexes were built again.
        await using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Execute(connection, "DROP INDEX ux_customer360_log_sequence; DROP INDEX ux_customer360_log_event; DROP INDEX ix_customer360_log_time;");
        }

        SqliteStore.EnsureCreated(connectionString);
        Assert.Equal(3L, Scalar(connectionString, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'customer360_log'"));

        // An older version started on a file whose move had not finished: it made a text-keyed
        // log of its own beside the set-aside one. Which entries are wanted is the operator's call.
        await using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Execute(connection, $"CREATE TABLE {SqliteStore.TextKeyedLog} (position INTEGER PRIMARY KEY);" + TextKeyedLog(withValueColumns: true));
        }

        var refused = Assert.Throws<InvalidOperationException>(() => SqliteStore.EnsureCreated(connectionString));
        Assert.Contains(SqliteStore.TextKeyedLog, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMovedLogGivesTheOldLogsPagesBackToTheFileSystem()
    {
        var connectionString = EmbeddedDatabase.Create();
        const int Entries = 10_000;

        // A text-keyed log large enough that its pages, once free, are worth giving back.
        await using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Execute(connection, TextKeyedLog(withValueColumns: true));
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO customer360_log VALUES (NULL, 'shop', @c, @s, 1, @e, @o, @o, @f, @p, 1, '12.5')";
            var customer = insert.Parameters.Add("@c", SqliteType.Text);
            var sequence = insert.Parameters.Add("@s", SqliteType.Integer);
            var eventId = insert.Parameters.Add("@e", SqliteType.Text);
            var occurred = insert.Parameters.Add("@o", SqliteType.Integer);
            var fingerprint = insert.Parameters.Add("@f", SqliteType.Integer);
            var payload = insert.Parameters.Add("@p", SqliteType.Text);
            for (var i = 0; i < Entries; i++)
            {
                var entry = CustomerLogEntry.For(Purchase($"c{i % 500}", $"till-4-receipt-{i:D8}", At.AddMinutes(i), 12.5m), (i / 500) + 1, At.AddMinutes(i));
                (customer.Value, sequence.Value, eventId.Value) = (entry.CustomerId, entry.Sequence, entry.Touchpoint!.EventId);
                (occurred.Value, fingerprint.Value, payload.Value) = (entry.Touchpoint.OccurredAt.UtcTicks, entry.Fingerprint, entry.Payload);
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        var pagesBefore = Scalar(connectionString, "PRAGMA page_count");
        Assert.True(pagesBefore >= SqliteStore.CompactFromPages / 2, $"{pagesBefore} pages: too small a log to show the file shrink");

        SqliteStore.EnsureCreated(connectionString);

        // Moved, the log takes new pages and frees its old ones; the file keeps only what it uses.
        Assert.Equal(Entries, Scalar(connectionString, "SELECT count(*) FROM customer360_log"));
        Assert.Equal(0L, Scalar(connectionString, "PRAGMA freelist_count"));
        Assert.True(Scalar(connectionString, "PRAGMA page_count") <= pagesBefore, "the file is no larger than the log it started with");
        var shop = EmbeddedDatabase.CustomerStore(connectionString, "shop");
        await using (shop)
        {
            Assert.Equal(Entries / 500, (await ((ICustomerStore)shop).ReadCustomerAsync("c7")).Entries.Count);
        }
    }

    [Theory]
    [InlineData(0.1, false)]
    [InlineData(0.6, true)]
    public void AtStartUpAFileIsRebuiltOnlyWhenMoreThanAQuarterOfItIsFree(double shareDeleted, bool rebuilt)
    {
        var connectionString = EmbeddedDatabase.Create();
        const int Rows = 4_000;
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Execute(connection, $"""
                CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {Rows})
                INSERT INTO filler SELECT i, printf('%.2000c', 'x') FROM n;
                DELETE FROM filler WHERE id <= {(int)(Rows * shareDeleted)};
                """);
        }

        var pages = Scalar(connectionString, "PRAGMA page_count");
        var free = Scalar(connectionString, "PRAGMA freelist_count");
        Assert.True(pages >= SqliteStore.CompactFromPages, $"{pages} pages: below the size ever rebuilt");
        Assert.True(free > 0);

        SqliteStore.EnsureCreated(connectionString);

        Assert.Equal(rebuilt ? 0L : free, Scalar(connectionString, "PRAGMA freelist_count"));
        Assert.Equal(Rows - (int)(Rows * shareDeleted), Scalar(connectionString, "SELECT count(*) FROM filler"));
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

    [Fact]
    public async Task CustomersWithoutErasureColumnsGetThemEmptyAndCanBeErased()
    {
        var connectionString = EmbeddedDatabase.Create();

        // What an earlier version left: a customer table without the erasure columns, with a customer in it.
        await using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Execute(connection,
                """
                DROP TABLE customer360_customer;
                CREATE TABLE customer360_customer
                (
                    customer_key INTEGER PRIMARY KEY,
                    service_id   TEXT    NOT NULL COLLATE BINARY,
                    customer_id  TEXT    NOT NULL COLLATE BINARY,
                    UNIQUE (service_id, customer_id)
                );
                """);
        }

        var before = EmbeddedDatabase.CustomerStore(connectionString, "upgrade");
        await using (before)
        {
            // Written as the earlier version wrote: its insert names no erasure column.
            Assert.True(await before.AppendAsync(CustomerLogEntry.For(Visit("c1"), 1, At)));
        }

        SqliteStore.EnsureCreated(connectionString);
        SqliteStore.EnsureCreated(connectionString);

        var store = EmbeddedDatabase.CustomerStore(connectionString, "upgrade");
        await using (store)
        {
            Assert.Null((await ((ICustomerStore)store).ReadCustomerAsync("c1")).Tombstone);
            Assert.Equal(["c1"], await store.ReadCustomerIdsAsync(null, 10));
            Assert.Equal(1, (await store.EraseCustomerAsync("c1", At.AddDays(1)))?.EntriesRemoved);
            Assert.Equal(new CustomerTombstone(At.AddDays(1), 2), (await ((ICustomerStore)store).ReadCustomerAsync("c1")).Tombstone);
            Assert.Empty(await store.ReadCustomerIdsAsync(null, 10));
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(string connectionString, string sql)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
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

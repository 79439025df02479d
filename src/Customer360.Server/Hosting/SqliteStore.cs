using Microsoft.Data.Sqlite;

namespace Customer360.Server.Hosting;

/// <summary>
/// The embedded default store: one SQLite file in WAL mode, its schema created on first start
/// from the script shipped in deploy/sqlite/schema.sql (embedded in this assembly).
/// </summary>
public static class SqliteStore
{
    /// <summary>
    /// The ADO.NET invariant that Orleans maps to Microsoft.Data.Sqlite. (The invariant
    /// "Microsoft.Data.Sqlite" is not registered by Orleans and fails at start-up.)
    /// </summary>
    public const string Invariant = "System.Data.SQLite";

    public const string FileName = "customer360.db";

    public static string ConnectionStringFor(StorageOptions storage)
    {
        if (!string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            return storage.ConnectionString;
        }

        var path = Path.GetFullPath(Path.Combine(storage.DataPath, FileName));
        return new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Seconds a command waits for the database lock before failing.
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>Creates the folder, the database and its schema if missing. Safe to run on every start.</summary>
    public static void EnsureCreated(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        SetTextKeyedLogAside(connection);
        RunSchemaScript(connection);
        if (MoveTextKeyedLog(connection))
        {
            // The moved log's indexes, built once from the whole log.
            RunSchemaScript(connection);
        }

        AddSnapshotSummaryColumns(connection);
        AddSegmentBucketColumns(connection);
        AddErasureColumns(connection);
        CompactIfMostlyFree(connection, directory);
    }

    /// <summary>A file with more than this share of its pages free is rebuilt at start-up (<see cref="CompactIfMostlyFree"/>).</summary>
    internal const double CompactAboveFreeShare = 0.25;

    /// <summary>Files smaller than this many pages (4 MB at SQLite's default page size) are never rebuilt: there is little to give back.</summary>
    internal const long CompactFromPages = 1024;

    /// <summary>
    /// Gives free pages back to the file system when they are more than a quarter of the file.
    /// The engine deletes log entries only to erase a customer, a few at a time, so a file gets
    /// that empty only by an upgrade that moved a table, such as the move to customer keys, which leaves the old log's pages free
    /// and the file about twice the size it needs. SQLite reuses free pages but never shrinks the
    /// file by itself; VACUUM rewrites it without them, atomically, so a crash during it leaves
    /// the file as it was, and the next start tries again. It takes about as long as copying the
    /// file, once; day-to-day churn (snapshots and segment buckets rewritten) stays well below
    /// the threshold and never triggers it.
    /// </summary>
    /// <remarks>
    /// The rebuild only saves space, so it never stops a start: it is skipped when the file's disk
    /// has less room than two copies of what the file holds (VACUUM writes a copy, and then the
    /// copy again through the WAL) or will not say how much it has, and when another server keeps
    /// the file busy or the disk fills up during it.
    /// </remarks>
    private static void CompactIfMostlyFree(SqliteConnection connection, string? directory)
    {
        var pages = Pragma(connection, "page_count");
        var free = Pragma(connection, "freelist_count");
        if (pages < CompactFromPages || free <= pages * CompactAboveFreeShare)
        {
            return;
        }

        var used = (pages - free) * Pragma(connection, "page_size");
        if (FreeSpaceIn(directory) is not { } room || room < 2 * used)
        {
            return;
        }

        // VACUUM cannot run inside a transaction. The timeout bounds only the wait for another
        // connection's lock, not the rebuild itself.
        using var command = connection.CreateCommand();
        command.CommandText = "VACUUM";
        command.CommandTimeout = 5;
        try
        {
            command.ExecuteNonQuery();
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED or SQLitePCL.raw.SQLITE_FULL)
        {
            // Left as it was; the next start tries again.
        }
    }

    /// <summary>Bytes free on the disk that holds <paramref name="directory"/>, or null when the system will not say.</summary>
    private static long? FreeSpaceIn(string? directory)
    {
        try
        {
            return string.IsNullOrEmpty(directory) ? null : new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static long Pragma(SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The name a log keyed by customer ids as text is set aside under until it is moved.</summary>
    internal const string TextKeyedLog = "customer360_log_text_keyed";

    /// <summary>Drops the log's indexes, by the names both layouts give them; the schema script builds the keyed log's.</summary>
    private const string DropLogIndexes =
        """
        DROP INDEX IF EXISTS ux_customer360_log_sequence;
        DROP INDEX IF EXISTS ux_customer360_log_event;
        DROP INDEX IF EXISTS ix_customer360_log_time;
        """;

    /// <summary>
    /// A log made before customers had keys (keyed by service and customer id as text) is renamed
    /// out of the way, with its indexes dropped, so that the schema script can create the keyed
    /// log; <see cref="MoveTextKeyedLog"/> then copies it over.
    /// </summary>
    private static void SetTextKeyedLogAside(SqliteConnection connection)
    {
        if (!ColumnExists(connection, "customer360_log", "service_id"))
        {
            return;
        }

        if (TableExists(connection, TextKeyedLog))
        {
            // Only an older version started after a move began can leave both: its new, text-keyed
            // log may hold entries of its own, and which log is whose is for an operator to decide.
            throw new InvalidOperationException(
                $"The database holds both a text-keyed customer360_log and {TextKeyedLog}, set aside by a move to customer keys that has not finished; an older version of the server has run on it since. Move the entries of one into the other, or drop the one not wanted, and start again.");
        }

        // The old indexes carry the names the keyed log's indexes take.
        Execute(
            connection,
            $"""
            {DropLogIndexes}
            DROP INDEX IF EXISTS ix_customer360_log_service_position;
            ALTER TABLE customer360_log RENAME TO {TextKeyedLog};
            """);
    }

    /// <summary>
    /// Copies a log set aside by <see cref="SetTextKeyedLogAside"/> into the keyed log, in one
    /// transaction: every customer gets its key, and every entry keeps its sequence and its
    /// position (checkpoints refer to positions, and new entries come after every old one). A log
    /// from before touchpoint_kind and amount existed gets both from its payloads on the way. A
    /// crash part-way leaves the set-aside log as it was, and the next start copies it again.
    /// The keyed log's indexes are dropped for the copy and built again afterwards by the schema
    /// script, which takes a third of the time of keeping them up to date row by row (a million
    /// entries moved in about 16 s here instead of 47 s). Nothing writes before the move is done.
    /// True if there was a log to move.
    /// </summary>
    private static bool MoveTextKeyedLog(SqliteConnection connection)
    {
        if (!TableExists(connection, TextKeyedLog))
        {
            return false;
        }

        var values = ColumnExists(connection, TextKeyedLog, "touchpoint_kind")
            ? "l.touchpoint_kind, l.amount"
            : $"""
              CASE WHEN l.kind = 1 THEN json_extract(l.payload, '$.kind') END,
              CASE WHEN l.kind = 1 THEN CAST(json_extract(l.payload, '$.reportingAmount') AS TEXT) END
              """;
        Execute(
            connection,
            $"""
            {DropLogIndexes}

            INSERT INTO customer360_customer (service_id, customer_id)
            SELECT service_id, customer_id FROM {TextKeyedLog}
            GROUP BY service_id, customer_id
            ORDER BY service_id, customer_id
            ON CONFLICT (service_id, customer_id) DO NOTHING;

            INSERT INTO customer360_log (position, customer_key, sequence, kind, event_id, occurred_ticks, recorded_ticks, fingerprint, payload, touchpoint_kind, amount)
            SELECT l.position, c.customer_key, l.sequence, l.kind, l.event_id, l.occurred_ticks, l.recorded_ticks, l.fingerprint, l.payload,
                   {values}
            FROM {TextKeyedLog} AS l
            JOIN customer360_customer AS c ON c.service_id = l.service_id AND c.customer_id = l.customer_id
            ORDER BY l.position;

            DROP TABLE {TextKeyedLog};
            """);
        return true;
    }

    private static void RunSchemaScript(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = SchemaScript();
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Segment headers made before buckets get the bucket count and writer token, both 0: the
    /// segment's first activation moves its member rows to buckets.
    /// </summary>
    private static void AddSegmentBucketColumns(SqliteConnection connection) => UpgradeUnlessColumnExists(
        connection,
        "customer360_segment",
        "writer",
        """
        ALTER TABLE customer360_segment ADD COLUMN bucket_count INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE customer360_segment ADD COLUMN writer INTEGER NOT NULL DEFAULT 0;
        """);

    /// <summary>
    /// Snapshots made before value summaries were kept get the summary columns, empty: such a
    /// customer is rescored by waking it until its next snapshot. (SQLite has no ADD COLUMN IF NOT EXISTS.)
    /// </summary>
    private static void AddSnapshotSummaryColumns(SqliteConnection connection) => UpgradeUnlessColumnExists(
        connection,
        "customer360_snapshot",
        "summary_purchase_days",
        """
        ALTER TABLE customer360_snapshot ADD COLUMN summary_purchase_days INTEGER NULL;
        ALTER TABLE customer360_snapshot ADD COLUMN summary_first_purchase_day INTEGER NULL;
        ALTER TABLE customer360_snapshot ADD COLUMN summary_last_purchase_day INTEGER NULL;
        ALTER TABLE customer360_snapshot ADD COLUMN summary_repeat_occasion_value TEXT NULL;
        ALTER TABLE customer360_snapshot ADD COLUMN summary_occasion_value TEXT NULL;
        ALTER TABLE customer360_snapshot ADD COLUMN summary_net_spend TEXT NULL;
        ALTER TABLE customer360_snapshot ADD COLUMN summary_preferred_channel INTEGER NULL;
        """);

    /// <summary>Customer rows made before erasure existed get its columns, empty: no customer of theirs was erased.</summary>
    private static void AddErasureColumns(SqliteConnection connection) => UpgradeUnlessColumnExists(
        connection,
        "customer360_customer",
        "erased_version",
        """
        ALTER TABLE customer360_customer ADD COLUMN erased_ticks INTEGER NULL;
        ALTER TABLE customer360_customer ADD COLUMN erased_version INTEGER NULL;
        """);

    /// <summary>Runs <paramref name="upgrade"/> in one transaction when <paramref name="table"/> lacks <paramref name="column"/>.</summary>
    private static void UpgradeUnlessColumnExists(SqliteConnection connection, string table, string column, string upgrade)
    {
        if (!ColumnExists(connection, table, column))
        {
            Execute(connection, upgrade);
        }
    }

    private static bool ColumnExists(SqliteConnection connection, string table, string column)
    {
        using var columns = connection.CreateCommand();
        columns.CommandText = "SELECT COUNT(*) FROM pragma_table_info($table) WHERE name = $column";
        columns.Parameters.AddWithValue("$table", table);
        columns.Parameters.AddWithValue("$column", column);
        return (long)columns.ExecuteScalar()! > 0;
    }

    private static bool TableExists(SqliteConnection connection, string table)
    {
        using var tables = connection.CreateCommand();
        tables.CommandText = "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = $table";
        tables.Parameters.AddWithValue("$table", table);
        return (long)tables.ExecuteScalar()! > 0;
    }

    /// <summary>Runs <paramref name="sql"/> in one transaction.</summary>
    private static void Execute(SqliteConnection connection, string sql)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    public static string SchemaScript()
    {
        using var stream = typeof(SqliteStore).Assembly.GetManifestResourceStream("Customer360.Server.sqlite-schema.sql")
            ?? throw new InvalidOperationException("The SQLite schema script is missing from the server assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

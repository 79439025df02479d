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
        using var command = connection.CreateCommand();
        command.CommandText = SchemaScript();
        command.ExecuteNonQuery();
        AddValueColumns(connection);
        AddSnapshotSummaryColumns(connection);
        AddSegmentBucketColumns(connection);
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

    /// <summary>
    /// A log made before the touchpoint_kind and amount columns existed gets them, filled from
    /// the payloads, in one transaction. (SQLite has no ADD COLUMN IF NOT EXISTS.)
    /// </summary>
    private static void AddValueColumns(SqliteConnection connection) => UpgradeUnlessColumnExists(
        connection,
        "customer360_log",
        "touchpoint_kind",
        """
        ALTER TABLE customer360_log ADD COLUMN touchpoint_kind INTEGER NULL;
        ALTER TABLE customer360_log ADD COLUMN amount TEXT NULL;
        UPDATE customer360_log
        SET touchpoint_kind = json_extract(payload, '$.kind'),
            amount = CAST(json_extract(payload, '$.reportingAmount') AS TEXT)
        WHERE kind = 1;
        """);

    /// <summary>Runs <paramref name="upgrade"/> in one transaction when <paramref name="table"/> lacks <paramref name="column"/>.</summary>
    private static void UpgradeUnlessColumnExists(SqliteConnection connection, string table, string column, string upgrade)
    {
        using var columns = connection.CreateCommand();
        columns.CommandText = "SELECT COUNT(*) FROM pragma_table_info($table) WHERE name = $column";
        columns.Parameters.AddWithValue("$table", table);
        columns.Parameters.AddWithValue("$column", column);
        if ((long)columns.ExecuteScalar()! > 0)
        {
            return;
        }

        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = upgrade;
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

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
    }

    public static string SchemaScript()
    {
        using var stream = typeof(SqliteStore).Assembly.GetManifestResourceStream("Customer360.Server.sqlite-schema.sql")
            ?? throw new InvalidOperationException("The SQLite schema script is missing from the server assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

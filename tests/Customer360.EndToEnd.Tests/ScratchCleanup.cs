using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// What the tests create outside themselves (data folders, PostgreSQL schemas of their own).
/// A test may restart a server on the same folder, so nothing is removed while the run goes on;
/// it is removed when the run's process exits, and what an earlier run left (the test host may
/// be stopped before it is done) when a run first creates one, once it is an hour old. Left
/// alone, a developer's machine would gather a folder per server started and a schema per
/// upgrade test on every run.
/// </summary>
internal static class ScratchCleanup
{
    public const string FolderPrefix = "c360-e2e-";

    private static readonly TimeSpan StaleAfter = TimeSpan.FromHours(1);
    private static readonly ConcurrentQueue<string> Folders = new();
    private static readonly ConcurrentQueue<(string Server, string Schema)> Schemas = new();
    private static int _schemasSwept;

    static ScratchCleanup()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveAll();
        foreach (var stale in new DirectoryInfo(Path.GetTempPath()).EnumerateDirectories(FolderPrefix + "*")
                     .Where(d => d.LastWriteTimeUtc < DateTime.UtcNow - StaleAfter))
        {
            RemoveFolder(stale.FullName);
        }
    }

    /// <summary>A new, empty folder of the run's own, removed when the run ends.</summary>
    public static string NewFolder() => Folder(Directory.CreateTempSubdirectory(FolderPrefix).FullName);

    /// <summary>Removes <paramref name="path"/> and everything in it when the run ends.</summary>
    private static string Folder(string path)
    {
        Folders.Enqueue(path);
        return path;
    }

    /// <summary>
    /// A name for a schema of the run's own, stamped with the time so that a later run can tell
    /// that it is stale; the schema is dropped when the run ends.
    /// </summary>
    public static async Task<string> NewSchemaAsync(string connectionString, string prefix)
    {
        if (Interlocked.Exchange(ref _schemasSwept, 1) == 0)
        {
            await DropStaleSchemasAsync(connectionString);
        }

        var schema = $"{prefix}_{DateTime.UtcNow:yyyyMMddHHmm}_{Guid.NewGuid():N}";
        Schemas.Enqueue((connectionString, schema));
        return schema;
    }

    private static async Task DropStaleSchemasAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var stale = new List<string>();
        await using (var list = new NpgsqlCommand(@"SELECT nspname FROM pg_namespace WHERE nspname ~ '^[a-z]+_[0-9]{12}_[0-9a-f]{32}$'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var name = reader.GetString(0);
                var stamp = DateTime.ParseExact(name.Split('_')[1], "yyyyMMddHHmm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
                if (stamp < DateTime.UtcNow - StaleAfter)
                {
                    stale.Add(name);
                }
            }
        }

        foreach (var name in stale)
        {
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {name} CASCADE", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static void RemoveAll()
    {
        // Schemas first: they are quick to drop, and the test host may be stopped before long.
        foreach (var (server, schema) in Schemas)
        {
            try
            {
                using var connection = new NpgsqlConnection(server);
                connection.Open();
                using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
                drop.ExecuteNonQuery();
            }
            catch (NpgsqlException)
            {
                // The server is gone already; its data directory goes with it.
            }
        }

        foreach (var folder in Folders)
        {
            RemoveFolder(folder);
        }
    }

    /// <summary>Removes <paramref name="folder"/> now, if nothing holds a file in it open.</summary>
    public static void RemoveFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file still held open (a server child process on its way out): a later run
            // removes it.
        }
    }
}

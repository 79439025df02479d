using Customer360.Server.Hosting;
using Customer360.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>A fresh embedded database for a storage test, in a folder of its own.</summary>
internal static class EmbeddedDatabase
{
    /// <summary>The connection string of a new SQLite file with the engine's schema applied.</summary>
    public static string Create()
    {
        var connectionString = SqliteStore.ConnectionStringFor(new StorageOptions { DataPath = TestServer.NewDataPath() });
        SqliteStore.EnsureCreated(connectionString);
        return connectionString;
    }

    /// <summary>A customer store on <paramref name="connectionString"/> for <paramref name="serviceId"/> that syncs every commit.</summary>
    public static SqliteCustomerStore CustomerStore(string connectionString, string serviceId, GroupCommitOptions? options = null) =>
        new(connectionString, serviceId, SqliteDurability.Full, options ?? new GroupCommitOptions(), NullLogger<SqliteCustomerStore>.Instance);
}

using Npgsql;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// A PostgreSQL schema of a test's own on the test server, for tests that need a database no
/// other test writes to at the same time. It is dropped when the test run ends.
/// </summary>
public static class PostgresScratchSchema
{
    /// <summary>A new, empty schema, and a connection string whose search path is it alone.</summary>
    public static async Task<string> CreateAsync(string prefix)
    {
        var settings = await TestStores.SettingsAsync(TestStores.Postgres, prefix);
        var server = settings["Customer360:Storage:ConnectionString"]!;
        var schema = await ScratchCleanup.NewSchemaAsync(server, prefix);
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
    }

    /// <summary>Applies deploy/postgres/schema.sql, as deploy/postgres/apply-schema.sh does.</summary>
    public static async Task ApplySchemaAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var schema = await File.ReadAllTextAsync(Path.Combine(TestStores.RepositoryRoot(), "deploy", "postgres", "schema.sql"));
        await using var command = new NpgsqlCommand(schema, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row <paramref name="sql"/> answers, given its positional parameters ($1, $2, ...) in order.</summary>
    public static async Task<T?> ScalarAsync<T>(string connectionString, string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return (T?)await command.ExecuteScalarAsync();
    }
}

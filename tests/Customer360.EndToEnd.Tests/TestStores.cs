using Customer360.Testing;
using Npgsql;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Server settings for each store the engine runs on. PostgreSQL is a real server
/// (<see cref="TestPostgres"/>), with its schema applied from deploy/postgres/schema.sql.
/// </summary>
public static class TestStores
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    private static readonly Lazy<Task<string>> PostgresConnection = new(StartPostgresAsync);

    /// <summary>
    /// Settings for a server on <paramref name="provider"/>. Servers given the same
    /// <paramref name="serviceId"/> share stored state, as one service restarted.
    /// </summary>
    public static async Task<Dictionary<string, string?>> SettingsAsync(string provider, string serviceId)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Customer360:Storage:Provider"] = provider,
            ["Customer360:Silo:ServiceId"] = serviceId,
        };
        if (provider == Postgres)
        {
            settings["Customer360:Storage:ConnectionString"] = await PostgresConnection.Value;
        }

        return settings;
    }

    private static async Task<string> StartPostgresAsync()
    {
        var connectionString = await TestPostgres.ConnectionStringAsync();
        var schema = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "postgres", "schema.sql"));
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(schema, connection);
        await command.ExecuteNonQueryAsync();
        return connectionString;
    }

    /// <summary>Runs a script of the repository with bash, as an operator would, and returns how it ended and what it printed.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunBashAsync(string script, params string[] arguments) =>
        RepositoryScripts.RunBashAsync(script, arguments);

    public static string RepositoryRoot() => TestPostgres.RepositoryRoot();
}

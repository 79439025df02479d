using System.Diagnostics;
using Npgsql;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Server settings for each store the engine runs on. PostgreSQL is a real server: the one named
/// by C360_TEST_POSTGRES (CI starts it), or else one started on loopback by
/// deploy/postgres/start-postgres.sh, which installs PostgreSQL from Debian's packages if needed.
/// Its schema is applied from deploy/postgres/schema.sql. Nothing is skipped: without a server
/// the PostgreSQL tests fail.
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
        var connectionString = Environment.GetEnvironmentVariable("C360_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = await RunScriptAsync(Path.Combine(RepositoryRoot(), "deploy", "postgres", "start-postgres.sh"));
        }

        var schema = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "postgres", "schema.sql"));
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(schema, connection);
        await command.ExecuteNonQueryAsync();
        return connectionString;
    }

    private static async Task<string> RunScriptAsync(string script)
    {
        var (exitCode, stdout, stderr) = await RunBashAsync(script);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed ({exitCode}): {stderr}");
        }

        return stdout.Trim().Split('\n')[^1].Trim();
    }

    /// <summary>Runs a script of the repository with bash, as an operator would, and returns how it ended and what it printed.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunBashAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash", [script, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Customer360.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Customer360.sln not found above " + AppContext.BaseDirectory);
    }
}

namespace Customer360.Testing;

/// <summary>
/// The PostgreSQL server the tests run against: the one named by C360_TEST_POSTGRES (CI starts
/// it), or else one started on loopback by deploy/postgres/start-postgres.sh, which installs
/// PostgreSQL from Debian's packages if needed. Nothing is skipped: without a server the
/// PostgreSQL tests fail. Shared by the end-to-end and the load tool's tests, which compile this
/// file in, so that README's one test command works with or without the variable.
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<Task<string>> Connection = new(FindOrStartAsync);

    /// <summary>An Npgsql connection string to the server; started once per test process when needed.</summary>
    public static Task<string> ConnectionStringAsync() => Connection.Value;

    /// <summary>The folder holding Customer360.sln, above the test's output folder.</summary>
    public static string RepositoryRoot() => RepositoryScripts.Root();

    private static async Task<string> FindOrStartAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable("C360_TEST_POSTGRES");
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return connectionString;
        }

        var script = Path.Combine(RepositoryRoot(), "deploy", "postgres", "start-postgres.sh");
        var (exitCode, stdout, stderr) = await RepositoryScripts.RunBashAsync(script);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed ({exitCode}): {stderr}");
        }

        // The script prints the connection string last; progress goes to standard error.
        return stdout.Trim().Split('\n')[^1].Trim();
    }
}

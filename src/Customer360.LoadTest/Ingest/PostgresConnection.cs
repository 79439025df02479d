namespace Customer360.LoadTest.Ingest;

/// <summary>
/// Finds the baselines' database when <c>--postgres</c> is not given, the same way
/// deploy/postgres/apply-schema.sh does: <c>C360_POSTGRES</c>, else the connection-string file
/// that deploy/postgres/start-postgres.sh writes under <c>C360_PG_DATA</c> (default /tmp/c360-pg).
/// </summary>
internal static class PostgresConnection
{
    public const string Variable = "C360_POSTGRES";

    public static string DefaultFile =>
        Path.Combine(Environment.GetEnvironmentVariable("C360_PG_DATA") is { Length: > 0 } dataDir ? dataDir : "/tmp/c360-pg", "connection-string");

    public static string? Resolve(string? given)
    {
        if (!string.IsNullOrWhiteSpace(given))
        {
            return given.Trim();
        }

        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment.Trim();
        }

        return File.Exists(DefaultFile) && File.ReadAllText(DefaultFile).Trim() is { Length: > 0 } fromFile ? fromFile : null;
    }
}

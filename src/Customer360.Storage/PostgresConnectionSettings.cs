using Npgsql;

namespace Customer360.Storage;

/// <summary>
/// How the engine's own PostgreSQL stores (customers, segments) tune their connections. Each
/// setting applies only where the operator's connection string does not set it.
/// </summary>
internal static class PostgresConnectionSettings
{
    /// <summary>Statements each connection keeps prepared.</summary>
    public const int AutoPreparedStatements = 32;

    /// <summary>
    /// <paramref name="connectionString"/> with the stores' settings:
    /// <list type="bullet">
    /// <item>No reset on return to the pool: the stores never change session state, and
    /// <c>DISCARD ALL</c> was one extra statement per read.</item>
    /// <item>At most <paramref name="maxConnections"/> connections: activations read in bursts,
    /// and Npgsql's default of 100 would exhaust a default PostgreSQL server (100 connections)
    /// shared with Orleans' own providers and other silos. Callers wait for a free connection
    /// instead.</item>
    /// <item>Statements prepared on each connection (Npgsql's automatic preparation), so that
    /// PostgreSQL parses and plans each once per connection instead of once per execution:
    /// planning the log's multi-row insert cost about as much as executing it, and preparing
    /// took PostgreSQL's CPU per touchpoint from 90–118 µs to 54–67 µs (BENCHMARKS.md).
    /// "Max Auto Prepare=0" turns it off, as a pooler that does not support prepared
    /// statements needs.</item>
    /// </list>
    /// </summary>
    public static string ForStore(string connectionString, int maxConnections)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true };
        if (!Mentions(connectionString, "Maximum Pool Size", "MaxPoolSize"))
        {
            builder.MaxPoolSize = maxConnections;
        }

        if (!Mentions(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = AutoPreparedStatements;
        }

        if (!Mentions(connectionString, "Auto Prepare Min Usages", "AutoPrepareMinUsages"))
        {
            builder.AutoPrepareMinUsages = 2;
        }

        return builder.ConnectionString;
    }

    private static bool Mentions(string connectionString, params string[] keys) =>
        keys.Any(key => connectionString.Contains(key, StringComparison.OrdinalIgnoreCase));
}

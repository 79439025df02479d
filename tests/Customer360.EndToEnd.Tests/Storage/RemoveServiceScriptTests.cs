using Customer360.Domain.Customers;
using Customer360.Grains.Segments;
using Customer360.Grains.Storage;
using Customer360.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static Customer360.EndToEnd.Tests.Storage.TextKeyedLogFixture;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// deploy/postgres/remove-service.sh against a real PostgreSQL server, each test in a schema of
/// its own: the service's rows go from every table, another service's stay, a service or
/// cluster that still looks alive is refused with nothing changed, and --vacuum vacuums the
/// tables afterwards.
/// </summary>
public sealed class RemoveServiceScriptTests
{
    private static readonly DateTimeOffset LongAgo = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task EverythingTheServiceAndItsClusterStoredGoesAndAnotherServicesStays()
    {
        var connectionString = await NewDatabaseAsync();
        await StoreServiceAsync(connectionString, "gone", "gone-cluster", segmentChangedAt: LongAgo, siloAliveAt: LongAgo);
        await StoreServiceAsync(connectionString, "kept", "kept-cluster", segmentChangedAt: LongAgo, siloAliveAt: LongAgo);
        var gone = await RowsAsync(connectionString, "gone", "gone-cluster");
        var kept = await RowsAsync(connectionString, "kept", "kept-cluster");
        Assert.All(gone, table => Assert.True(table.Rows > 0, $"{table.Table} holds nothing of the service to remove"));

        var (exit, output) = await RunAsync(connectionString, "gone", "--cluster", "gone-cluster");

        Assert.Equal(0, exit);
        Assert.Contains("customer360_log: 3", output, StringComparison.Ordinal);
        Assert.Contains("Customer360Membership: 1", output, StringComparison.Ordinal);
        Assert.All(await RowsAsync(connectionString, "gone", "gone-cluster"), table => Assert.Equal(0L, table.Rows));
        Assert.Equal(kept, await RowsAsync(connectionString, "kept", "kept-cluster"));
        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT count(*) FROM customer360_log WHERE customer_key NOT IN (SELECT customer_key FROM customer360_customer)"));
        Assert.Equal(0L, await VacuumsAsync(connectionString, "customer360_log"));
    }

    [Fact]
    public async Task WithVacuumTheTablesTheRowsLeftAreVacuumedAfterTheRemoval()
    {
        var connectionString = await NewDatabaseAsync();
        await StoreServiceAsync(connectionString, "gone", "gone-cluster", segmentChangedAt: LongAgo, siloAliveAt: LongAgo);
        await StoreServiceAsync(connectionString, "kept", "kept-cluster", segmentChangedAt: LongAgo, siloAliveAt: LongAgo);
        var kept = await RowsAsync(connectionString, "kept", "kept-cluster");

        var (exit, output) = await RunAsync(connectionString, "gone", "--cluster", "gone-cluster", "--vacuum");

        Assert.Equal(0, exit);
        Assert.Contains("customer360_log: 3", output, StringComparison.Ordinal);
        Assert.All(await RowsAsync(connectionString, "gone", "gone-cluster"), table => Assert.Equal(0L, table.Rows));
        Assert.Equal(kept, await RowsAsync(connectionString, "kept", "kept-cluster"));
        foreach (var table in new[] { "customer360_log", "customer360_customer", "customer360_snapshot", "customer360_segment_bucket", "customer360membership" })
        {
            Assert.True(await VacuumsAsync(connectionString, table) >= 1, $"{table} was not vacuumed");
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task AServiceOrClusterActiveInTheLastTwoMinutesIsRefusedUnlessForced(bool segmentJustChanged, bool siloJustAlive)
    {
        var connectionString = await NewDatabaseAsync();
        var now = DateTimeOffset.UtcNow;
        await StoreServiceAsync(connectionString, "busy", "busy-cluster", segmentJustChanged ? now : LongAgo, siloJustAlive ? now : LongAgo);
        var before = await RowsAsync(connectionString, "busy", "busy-cluster");

        var (refused, message) = await RunAsync(connectionString, "busy", "--cluster", "busy-cluster");

        Assert.Equal(3, refused);
        Assert.Contains("stop its servers first", message, StringComparison.Ordinal);
        Assert.Equal(before, await RowsAsync(connectionString, "busy", "busy-cluster"));

        var (forced, _) = await RunAsync(connectionString, "busy", "--cluster", "busy-cluster", "--force");

        Assert.Equal(0, forced);
        Assert.All(await RowsAsync(connectionString, "busy", "busy-cluster"), table => Assert.Equal(0L, table.Rows));
    }

    private static async Task<string> NewDatabaseAsync()
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("remove");
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);
        return connectionString;
    }

    /// <summary>What a running service leaves, written through the engine's own stores where it has them.</summary>
    private static async Task StoreServiceAsync(string connectionString, string service, string cluster, DateTimeOffset segmentChangedAt, DateTimeOffset siloAliveAt)
    {
        await using (var customers = new PostgresCustomerStore(connectionString, service, new GroupCommitOptions(), NullLogger<PostgresCustomerStore>.Instance))
        {
            Assert.True(await customers.AppendAsync(CustomerLogEntry.For(Purchase("c1", "p1", LongAgo, 20m), 1, LongAgo)));
            Assert.True(await customers.AppendAsync(CustomerLogEntry.For(Purchase("c2", "p1", LongAgo, 5m), 1, LongAgo)));
            customers.SaveSnapshot(new CustomerSnapshot("c1", 1, [1, 2, 3], null));
            Assert.True(await customers.AppendAsync(CustomerLogEntry.For(Purchase("c1", "p2", LongAgo, 7m), 2, LongAgo)));
            await customers.AdvanceCheckpointAsync("segments@silo", 3);
        }

        await using (var segments = new PostgresSegmentStore(connectionString, service))
        {
            var opened = await segments.OpenSegmentAsync("tier:gold");
            SegmentMemberRow[] members = [new("c1", new MemberEntry(2, true, 27m, 1m, 0))];
            await segments.WriteSegmentAsync("tier:gold", new SegmentWrite(opened.Writer, new SegmentHeader(1, segmentChangedAt), 16, [new SegmentBucket(3, members)]));
        }

        // Orleans' own rows: a grain's state, and the cluster's version and one silo.
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var orleans = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                Command(
                    """
                    INSERT INTO Customer360GrainState (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
                    VALUES (1, 2, 3, 4, 'valuemodel', NULL, $1, '\x01', $2, 1)
                    """,
                    service, LongAgo),
                Command("INSERT INTO Customer360MembershipVersion (DeploymentId) VALUES ($1)", cluster),
                Command(
                    """
                    INSERT INTO Customer360Membership (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
                    VALUES ($1, '127.0.0.1', 11111, 1, 'silo', 'host', 3, 30000, $2, $3)
                    """,
                    cluster, LongAgo, siloAliveAt),
            },
        };
        await orleans.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The service's rows in every table of the schema that names a service (and the cluster's in
    /// every table that names a deployment), found from the columns, so that a table added later
    /// is checked too; and the log's rows, which name their customers by key.
    /// </summary>
    private static async Task<List<(string Table, long Rows)>> RowsAsync(string connectionString, string service, string cluster)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var tables = new List<(string Table, string Column, string Value)>();
        await using (var columns = new NpgsqlCommand(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_name IN ('service_id', 'serviceid', 'deploymentid')
            ORDER BY table_name
            """,
            connection))
        await using (var row = await columns.ExecuteReaderAsync())
        {
            while (await row.ReadAsync())
            {
                var column = row.GetString(1);
                tables.Add((row.GetString(0), column, column == "deploymentid" ? cluster : service));
            }
        }

        Assert.Contains(tables, t => t.Table == "customer360grainstate");
        var counts = new List<(string, long)>();
        foreach (var (table, column, value) in tables)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE {column} = $1", connection);
            count.Parameters.Add(new NpgsqlParameter<string> { TypedValue = value });
            counts.Add((table, (long)(await count.ExecuteScalarAsync())!));
        }

        // Which keys are the service's is known only while its customers are there, so the log
        // is counted by the keys a service's customers have, or had: every key not another's.
        await using (var log = new NpgsqlCommand(
            """
            SELECT count(*) FROM customer360_log
            WHERE customer_key IN (SELECT customer_key FROM customer360_customer WHERE service_id = $1)
               OR customer_key NOT IN (SELECT customer_key FROM customer360_customer)
            """,
            connection))
        {
            log.Parameters.Add(new NpgsqlParameter<string> { TypedValue = service });
            counts.Add(("customer360_log", (long)(await log.ExecuteScalarAsync())!));
        }

        // The member rows of earlier versions are written by none of today's stores.
        return [.. counts.Where(c => c.Item1 != "customer360_segment_member")];
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Vacuums run by hand (not by autovacuum) on a table of this test's schema.</summary>
    private static Task<long> VacuumsAsync(string connectionString, string table) =>
        ScalarAsync(connectionString, $"SELECT vacuum_count FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = '{table}'");

    /// <summary>Runs the script as an operator would, with the connection string the engine uses (its search path included).</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string connectionString, params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await TestStores.RunBashAsync(
            Path.Combine(TestStores.RepositoryRoot(), "deploy", "postgres", "remove-service.sh"), [.. arguments, connectionString]);
        return (exitCode, stdout + stderr);
    }
}

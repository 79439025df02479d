using Customer360.LoadTest.Baselines;
using Customer360.LoadTest.Workload;
using Npgsql;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// The naive design's read side on a real PostgreSQL (C360_TEST_POSTGRES; the test fails without
/// it): reads run while the writes run, and a read returns exactly the rows written. Each run
/// works in a schema of its own, so runs never touch each other's scratch tables.
/// </summary>
public sealed class NaiveReadsTests
{
    [Fact]
    public async Task ReadsDuringTheNaiveWritesReturnTheRowsWritten()
    {
        var connectionString = Environment.GetEnvironmentVariable("C360_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("C360_TEST_POSTGRES is not set: this test needs a PostgreSQL server (deploy/postgres/start-postgres.sh prints a connection string)");
        }

        var schema = "c360_load_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = NpgsqlDataSource.Create(connectionString))
        {
            // The engine's log, whose shape the scratch tables copy, in the test's own schema: with
            // only that schema on the search path, no table of another run is ever dropped.
            await using var command = admin.CreateCommand(
                await File.ReadAllTextAsync(SchemaFile()) +
                $"\nCREATE SCHEMA {schema}; CREATE TABLE {schema}.customer360_log (LIKE public.customer360_log INCLUDING ALL);");
            await command.ExecuteNonQueryAsync();
        }

        try
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            builder.ConnectionStringBuilder.SearchPath = schema;
            builder.ConnectionStringBuilder.MaxPoolSize = 20;
            await using var source = builder.Build();

            var workload = new WorkloadGenerator(5).Generate("naive-reads", 1_200, 12, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
            await using var reads = new NaiveReads(source, ratePerSecond: 1_000, seed: 5, connections: 2);

            var written = await new NaiveBaseline(source, connections: 4).RunAsync(workload.Touchpoints, "naive-reads-test", CancellationToken.None, reads);

            Assert.Equal(1_200, written.Rows);
            var result = reads.Result();
            Assert.True(result.Latency.Count > 0);
            Assert.Empty(result.Errors);
            Assert.Equal(0, reads.Mismatches);

            foreach (var customer in workload.Touchpoints.GroupBy(t => t.CustomerId))
            {
                var view = await reads.ReadCustomerAsync(customer.Key, CancellationToken.None);

                Assert.NotNull(view);
                Assert.Equal(customer.Count(), view.TouchpointCount);
                Assert.Equal(customer.Sum(t => t.NetSpendChange), view.NetSpend);
                var newest = customer.OrderByDescending(t => t.OccurredAt.UtcTicks).ThenByDescending(t => t.Sequence)
                    .Take(NaiveReads.RecentTouchpoints).Select(t => t.EventId);
                Assert.Equal(newest, view.RecentEventIds);
            }

            Assert.Null(await reads.ReadCustomerAsync("naive-reads-never-written", CancellationToken.None));
        }
        finally
        {
            await using var admin = NpgsqlDataSource.Create(connectionString);
            await using var drop = admin.CreateCommand($"DROP SCHEMA {schema} CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static string SchemaFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "deploy", "postgres", "schema.sql");
            if (File.Exists(file))
            {
                return file;
            }
        }

        throw new InvalidOperationException("deploy/postgres/schema.sql not found above " + AppContext.BaseDirectory);
    }
}

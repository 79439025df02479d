using Customer360.LoadTest.Baselines;
using Customer360.LoadTest.Workload;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// The naive design's read side on a real PostgreSQL (<see cref="Customer360.Testing.TestPostgres"/>; the test fails
/// without one): reads run while the writes run, and a read returns exactly the rows written. Each run
/// works in a schema of its own, so runs never touch each other's scratch tables.
/// </summary>
public sealed class NaiveReadsTests
{
    [Fact]
    public async Task ReadsDuringTheNaiveWritesReturnTheRowsWritten()
    {
        await using var schema = await ScratchEngineSchema.CreateAsync();
        await using var source = schema.DataSource();

        var workload = new WorkloadGenerator(5).Generate("naive-reads", 1_200, 12, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        await using var reads = new NaiveReads(source, ratePerSecond: 1_000, seed: 5, connections: 2);

        var written = await new NaiveBaseline(source, connections: 4).RunAsync(workload.Touchpoints, CancellationToken.None, reads);

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

        // Every log row sits under the key of its own customer's aggregates row.
        var stored = new HashSet<(string, string)>();
        await using (var command = source.CreateCommand(
            $"SELECT c.customer_id, l.event_id FROM {ScratchTables.NaiveLog} l JOIN {ScratchTables.NaiveCustomer} c ON c.customer_key = l.customer_key"))
        await using (var rows = await command.ExecuteReaderAsync())
        {
            while (await rows.ReadAsync())
            {
                Assert.True(stored.Add((rows.GetString(0), rows.GetString(1))));
            }
        }

        Assert.True(stored.SetEquals(workload.Touchpoints.Select(t => (t.CustomerId, t.EventId))));
    }
}

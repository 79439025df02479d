using Customer360.LoadTest.Baselines;
using Customer360.LoadTest.Workload;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// The COPY floor on a real PostgreSQL (<see cref="Customer360.Testing.TestPostgres"/>; the test fails without one), in a
/// schema of the test's own: it writes the workload's log rows under customer keys, into a table
/// keyed and indexed as the engine's log is.
/// </summary>
public sealed class CopyBaselineTests
{
    [Fact]
    public async Task EachCustomersRowsAreCopiedUnderItsKeyIntoALogKeyedAsTheEnginesIs()
    {
        await using var schema = await ScratchEngineSchema.CreateAsync();
        await using var source = schema.DataSource();
        var workload = new WorkloadGenerator(7).Generate("copy-keys", 900, 25, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

        var copied = await new CopyBaseline(source, chunkRows: 200).RunAsync(workload.Touchpoints, CancellationToken.None);

        Assert.Equal(900, copied.Rows);
        var stored = new HashSet<(long, long, string)>();
        await using (var command = source.CreateCommand($"SELECT customer_key, sequence, event_id FROM {ScratchTables.CopyLog}"))
        await using (var rows = await command.ExecuteReaderAsync())
        {
            while (await rows.ReadAsync())
            {
                stored.Add((rows.GetInt64(0), rows.GetInt64(1), rows.GetString(2)));
            }
        }

        // Customer i of the workload is key i + 1, the same key for all of its rows.
        Assert.True(stored.SetEquals(workload.Touchpoints.Select(t => (t.CustomerIndex + 1L, t.Sequence, t.EventId))));
        Assert.Equal(25L, await schema.ScalarAsync<long>($"SELECT count(DISTINCT customer_key) FROM {ScratchTables.CopyLog}"));

        Assert.Equal("PRIMARY KEY (customer_key, sequence)", await schema.ScalarAsync<string>(
            $"SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '{ScratchTables.CopyLog}'::regclass AND contype = 'p'"));
        Assert.EndsWith("USING btree (customer_key, event_id)", await schema.ScalarAsync<string>(
            $"SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = '{ScratchTables.CopyLog}'::regclass AND i.indisunique AND NOT i.indisprimary"));
    }
}

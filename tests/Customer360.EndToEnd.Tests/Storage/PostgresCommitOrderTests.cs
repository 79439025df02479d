using Customer360.Grains.Storage;
using Customer360.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static Customer360.EndToEnd.Tests.Storage.LogEntries;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// Two batches commit at once, and PostgreSQL numbers a batch's entries as they are inserted,
/// before the batch commits: the newest committed position can lie above the entries of a batch
/// still committing. Segment recovery lists the customers changed after a checkpoint up to the
/// newest position, so the store answers that position only once such a batch has its outcome.
/// </summary>
public sealed class PostgresCommitOrderTests
{
    [Fact]
    public async Task TheNewestPositionIsAnsweredOnlyOnceTheBatchesBelowItHaveCommitted()
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("commit_order");
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);
        await using var store = new PostgresCustomerStore(connectionString, "shop", new GroupCommitOptions { MaxConcurrentCommits = 2 }, NullLogger<PostgresCustomerStore>.Instance);
        Assert.True(await store.AppendAsync(Visit("slow", "s0", 1)));
        var from = await store.LastPositionAsync();

        // Another session inserts, and holds uncommitted, the entry the next append of "slow"
        // writes: that append's batch is held up on the log's unique indexes after its entry has
        // been numbered, until the other session ends. (Holding a row the batch writes besides
        // its entries, such as a snapshot, would not do: the snapshot may be taken into a batch
        // of its own.)
        await using var blocker = new NpgsqlConnection(connectionString);
        await blocker.OpenAsync();
        await using var lockTransaction = await blocker.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO customer360_log (customer_key, sequence, kind, event_id, recorded_ticks, fingerprint, payload)
            SELECT customer_key, 2, 1, 's1', 0, 0, '{}' FROM customer360_customer WHERE service_id = 'shop' AND customer_id = 'slow'
            """, blocker, lockTransaction))
        {
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        var slow = store.AppendAsync(Visit("slow", "s1", 2));
        await WaitUntilNumberedAsync(connectionString, blocker);

        // A later batch, in the other commit slot, commits above it.
        Assert.True(await store.AppendAsync(Visit("fast", "f1", 1)));
        Assert.False(slow.IsCompleted);

        var last = store.LastPositionAsync();
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.False(last.IsCompleted, "The newest position was answered while a batch below it was still committing.");

        await lockTransaction.RollbackAsync();
        Assert.True(await slow);
        var position = await last;
        var changed = await store.CustomersAfterAsync(from);
        Assert.Contains("slow", changed);
        Assert.Contains("fast", changed);
        Assert.True(position >= from + 2);
    }

    /// <summary>Waits until the held-up batch's log entry exists, uncommitted: its session waits for the holder's entry.</summary>
    private static async Task WaitUntilNumberedAsync(string connectionString, NpgsqlConnection holder)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var blocked = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", connection);
        blocked.Parameters.Add(new NpgsqlParameter { Value = holder.ProcessID });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((long)(await blocked.ExecuteScalarAsync() ?? 0L) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The batch never reached the held row.");
            await Task.Delay(20);
        }
    }
}

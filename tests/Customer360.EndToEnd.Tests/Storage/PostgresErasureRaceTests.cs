using Customer360.Grains.Storage;
using Customer360.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static Customer360.EndToEnd.Tests.Storage.LogEntries;
using static Customer360.EndToEnd.Tests.Storage.PostgresScratchSchema;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// An erasure on PostgreSQL racing a writer on another silo that has not heard of it (a second
/// activation of the customer, for a moment while a cluster reconfigures). The writer's
/// transaction is held open here, so that the race happens every time, not now and then.
/// </summary>
public sealed class PostgresErasureRaceTests
{
    [Fact]
    public async Task AnEntryCommittedAtTheErasuresOwnVersionWhileItRunsIsErasedWithTheRest()
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("erase_race");
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);
        await using var store = new PostgresCustomerStore(connectionString, "shop", new GroupCommitOptions(), NullLogger<PostgresCustomerStore>.Instance);
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            Assert.True(await store.AppendAsync(Visit("c1", $"v{sequence}", sequence)));
        }

        // The other silo's writer has entry 4 in flight: inserted, not yet committed. The erasure
        // counts three entries, so it means to take version 4 for itself.
        await using var writer = new NpgsqlConnection(connectionString);
        await writer.OpenAsync();
        await using var inFlight = await writer.BeginTransactionAsync();
        var fourth = Visit("c1", "v4", 4);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO customer360_log (customer_key, sequence, kind, event_id, occurred_ticks, recorded_ticks, fingerprint, payload)
            SELECT customer_key, 4, 1, $1, $2, $2, $3, $4 FROM customer360_customer WHERE service_id = 'shop' AND customer_id = 'c1'
            """,
            writer,
            inFlight))
        {
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "v4" });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = At.UtcTicks });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fourth.Fingerprint });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = fourth.Payload });
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        string writerTransaction;
        await using (var id = new NpgsqlCommand("SELECT pg_current_xact_id()::text", writer, inFlight))
        {
            writerTransaction = (string)(await id.ExecuteScalarAsync())!;
        }

        // The erasure waits on the writer's entry as it takes version 4; then the writer commits.
        var erasedAt = At.AddDays(1);
        var erasure = store.EraseCustomerAsync("c1", erasedAt);
        await WaitUntilWaitedOnAsync(connectionString, writerTransaction, erasure);
        await inFlight.CommitAsync();

        // The erasure took the writer's entry with the rest, and the version above it.
        Assert.Equal(new CustomerErasure(new CustomerTombstone(erasedAt, 5), 4, AlreadyErased: false), await erasure);
        Assert.Equal(0L, await ScalarAsync<long>(connectionString, "SELECT count(*) FROM customer360_log WHERE kind <> 0 OR payload <> '' OR event_id IS NOT NULL"));
        Assert.Equal(5L, await ScalarAsync<long>(connectionString, "SELECT count(*) FROM customer360_log"));
        Assert.Empty((await store.ReadCustomerAsync("c1")).Entries);
        Assert.Null(await store.FindEventAsync("c1", "v4"));
    }

    private static async Task WaitUntilWaitedOnAsync(string connectionString, string transaction, Task erasure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await ScalarAsync<long>(connectionString, "SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND transactionid::text = $1 AND NOT granted", transaction) == 0)
        {
            if (erasure.IsCompleted)
            {
                // Finished without waiting: the assertions on its outcome say what went wrong.
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "the erasure never waited on the writer's entry");
            await Task.Delay(20);
        }
    }
}

using Customer360.Api.V1;
using Customer360.Server.Hosting;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using static Customer360.EndToEnd.Tests.SyntheticCustomers;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Segment recovery at start-up re-states every customer changed after the segment checkpoint.
/// One customer that cannot be restored must not keep the server from starting, nor the other
/// customers from being re-stated.
/// </summary>
public sealed class SegmentRecoveryTests
{
    private const int CustomerCount = 20;

    [Fact]
    public async Task ACustomerWhoseLogCannotBeReadDoesNotStopTheServerOrTheOthersRecovery()
    {
        var dataPath = TestServer.NewDataPath();
        var prefix = "unreadable-" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, CustomerCount).Select(i => $"{prefix}-{i}").ToArray();
        var unreadable = ids[7];
        await using (var server = await TestServer.StartAsync(dataPath))
        {
            await StreamAllAsync(server.Customers, [.. ids.Select(id => Touchpoints.Contact(id, TouchpointKind.Visit, Channel.Web))]);
            await WaitForAsync(async () => (await server.Segments.GetSegmentAsync(new GetSegmentRequest { SegmentId = "channel:web" })).MemberCount == CustomerCount);
        }

        // What the server finds on its next start: segment figures to recover from the start of
        // the log (as after a crash before any checkpoint), no snapshots, so that every customer
        // replays its log, and one customer's entry that cannot be read.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(dataPath, SqliteStore.FileName)}"))
        {
            connection.Open();
            using var clear = connection.CreateCommand();
            clear.CommandText =
                """
                DELETE FROM customer360_checkpoint;
                DELETE FROM customer360_segment_bucket;
                DELETE FROM customer360_segment;
                DELETE FROM customer360_snapshot;
                """;
            clear.ExecuteNonQuery();
            using var damage = connection.CreateCommand();
            damage.CommandText =
                """
                UPDATE customer360_log SET payload = '{"kind": "not a kind"'
                WHERE customer_key = (SELECT customer_key FROM customer360_customer WHERE customer_id = @c)
                """;
            damage.Parameters.AddWithValue("@c", unreadable);
            Assert.Equal(1, damage.ExecuteNonQuery());
        }

        await using var restarted = await TestServer.StartAsync(dataPath);

        // Every other customer was re-stated before the server started serving.
        var web = await restarted.Segments.GetSegmentAsync(new GetSegmentRequest { SegmentId = "channel:web" });
        Assert.Equal(CustomerCount - 1, web.MemberCount);
        var view = await restarted.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = ids[8] });
        Assert.Equal(1, view.Aggregates.TouchpointCount);

        // The unreadable customer fails on its own.
        await Assert.ThrowsAsync<RpcException>(async () => await restarted.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = unreadable }));
    }

    [Fact]
    public async Task AfterStartUpRecoveryTheCheckpointWaitsForTheLagBeforeMovingOn()
    {
        // A lag longer than the test: the periodic checkpoints cannot move past the recovery.
        var settings = new Dictionary<string, string?> { ["Customer360:SegmentCheckpointLag"] = "00:10:00" };
        var dataPath = TestServer.NewDataPath();
        var prefix = "held-" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, CustomerCount).Select(i => $"{prefix}-{i}").ToArray();
        await using (var server = await TestServer.StartAsync(dataPath, settings))
        {
            await StreamAllAsync(server.Customers, [.. ids.Select(id => Touchpoints.Contact(id, TouchpointKind.Visit, Channel.Web))]);
        }

        // A clean stop records the end of the log; start again from the beginning, as after a
        // crash before any checkpoint.
        Assert.True(await ReadCheckpointAsync(dataPath) > 0);
        await ExecuteAsync(dataPath, "DELETE FROM customer360_checkpoint");

        await using (var restarted = await TestServer.StartAsync(dataPath, settings))
        {
            var web = await restarted.Segments.GetSegmentAsync(new GetSegmentRequest { SegmentId = "channel:web" });
            Assert.Equal(CustomerCount, web.MemberCount);
        }

        // The customers re-stated at start-up may live on other silos of a cluster, whose
        // buffers deliver their re-statements later: a stop within the lag leaves the checkpoint
        // where the recovery started, so the next start re-states them again.
        Assert.Equal(0, await ReadCheckpointAsync(dataPath));
    }

    private static async Task<long> ReadCheckpointAsync(string dataPath)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataPath, SqliteStore.FileName)}");
        connection.Open();
        await using var read = connection.CreateCommand();
        // Where the next start would begin: the lowest of the silos' checkpoints.
        read.CommandText = "SELECT COALESCE(MIN(position), 0) FROM customer360_checkpoint WHERE name LIKE 'segments%'";
        return (long)(await read.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string dataPath, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataPath, SqliteStore.FileName)}");
        connection.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}

using Customer360.Api.V1;
using Grpc.Core;
using Npgsql;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// When the customer log cannot be read, callers are told UNAVAILABLE (retry), not an internal
/// error, and nothing is applied. The log is made unreadable for real: another session holds
/// an exclusive lock on it, in a schema of this test's own, while the server's statements time
/// out after a second.
/// </summary>
public sealed class UnreadableStoreTests
{
    /// <summary>A server on a schema of its own, whose statements time out after a second.</summary>
    private static async Task<(TestServer Server, string ConnectionString)> StartAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("unreadable");
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);
        var settings = await TestStores.SettingsAsync(TestStores.Postgres, "unreadable-" + Guid.NewGuid().ToString("N"));
        settings["Customer360:Storage:ConnectionString"] = new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 1 }.ConnectionString;
        configure?.Invoke(settings);
        return (await TestServer.StartAsync(settings: settings), connectionString);
    }

    /// <summary>Runs <paramref name="whileLocked"/> while another session holds the log locked, then releases it.</summary>
    private static Task WithLogLockedAsync(string connectionString, Func<Task> whileLocked) =>
        WithTableLockedAsync(connectionString, "customer360_log", whileLocked);

    /// <summary>Runs <paramref name="whileLocked"/> while another session holds <paramref name="table"/> locked, then releases it.</summary>
    private static async Task WithTableLockedAsync(string connectionString, string table, Func<Task> whileLocked)
    {
        await using var blocker = new NpgsqlConnection(connectionString);
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand($"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        await whileLocked();
        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task AConflictCheckThatCannotReadTheLogAnswersUnavailableAndChangesNothing()
    {
        // One kept touchpoint, so that the first event is only remembered by the hash of its id,
        // and another content under that id has to be checked against the log.
        var (server, connectionString) = await StartAsync(settings => settings["Customer360:RecentWindow"] = "1");
        await using var _ = server;

        var id = NewCustomerId("unreadable");
        var original = Purchase(id, 40m, DateTimeOffset.UtcNow.AddHours(-2), eventId: "order-1");
        Assert.Equal(AckStatus.Accepted, (await server.Customers.RecordTouchpointAsync(Record(original))).Status);
        Assert.Equal(AckStatus.Accepted, (await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 5m, DateTimeOffset.UtcNow.AddHours(-1), eventId: "order-2")))).Status);
        var changed = original.Clone();
        changed.Amount.Amount = "41";

        await WithLogLockedAsync(connectionString, async () =>
        {
            var unary = await Assert.ThrowsAsync<RpcException>(() => server.Customers.RecordTouchpointAsync(Record(changed)).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, unary.StatusCode);
            Assert.Contains("customer store is unavailable", unary.Status.Detail);

            // The same from a stream: that touchpoint alone is rejected as retryable.
            using var call = server.Customers.StreamTouchpoints();
            await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = changed });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal(AckStatus.Rejected, call.ResponseStream.Current.Status);
            Assert.Equal((int)StatusCode.Unavailable, call.ResponseStream.Current.Code);
            await call.RequestStream.CompleteAsync();
            Assert.False(await call.ResponseStream.MoveNext());
        });

        // Nothing was applied, and with the log readable again the retry gets its true answer.
        var view = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal(2, view.Version);
        Assert.Equal(45m, decimal.Parse(view.Aggregates.NetSpend.Amount, System.Globalization.CultureInfo.InvariantCulture));
        var retried = await Assert.ThrowsAsync<RpcException>(() => server.Customers.RecordTouchpointAsync(Record(changed)).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, retried.StatusCode);
    }

    [Fact]
    public async Task AFitWhoseReadIsCutOffAnswersUnavailable()
    {
        var (server, connectionString) = await StartAsync();
        await using var _ = server;

        // The fit reads every customer's purchase days from the log, in the value model's grain,
        // with no time limit (a large service's read takes minutes). It waits for the lock until
        // its connection is cut, as a restart or fail-over of the database would cut it. The
        // store's own exception would reach the API only as the runtime's stand-in for a type it
        // cannot carry, and the caller could not tell that the store was the trouble.
        await WithLogLockedAsync(connectionString, async () =>
        {
            var fit = server.ValueModels.FitValueModelAsync(new FitValueModelRequest()).ResponseAsync;
            await TerminateWaitingFitAsync(connectionString);
            var failed = await Assert.ThrowsAsync<RpcException>(() => fit);
            Assert.Equal(StatusCode.Unavailable, failed.StatusCode);
            Assert.Contains("customer store is unavailable", failed.Status.Detail);
        });

        // Readable again, the same fit gets its true answer: an empty log has too few customers.
        var retried = await Assert.ThrowsAsync<RpcException>(() => server.ValueModels.FitValueModelAsync(new FitValueModelRequest()).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, retried.StatusCode);
    }

    [Fact]
    public async Task ASegmentThatCannotBeReadAnswersUnavailable()
    {
        // No periodic checkpoint during the test: it would open every segment before the lock.
        var (server, connectionString) = await StartAsync(settings => settings["Customer360:SegmentCheckpointInterval"] = "01:00:00");
        await using var _ = server;

        // A segment not yet opened in this server must read its figures from the segment tables.
        await WithTableLockedAsync(connectionString, "customer360_segment", async () =>
        {
            var unary = await Assert.ThrowsAsync<RpcException>(() => server.Segments.GetSegmentAsync(new GetSegmentRequest { SegmentId = "tier:gold" }).ResponseAsync);
            Assert.True(unary.StatusCode == StatusCode.Unavailable, unary.Status.ToString());
            Assert.Contains("store is unavailable", unary.Status.Detail);

            using var watch = server.Segments.WatchSegment(new WatchSegmentRequest { SegmentId = "channel:web" });
            var streamed = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext());
            Assert.True(streamed.StatusCode == StatusCode.Unavailable, streamed.Status.ToString());
        });

        // Readable again, the same segment answers.
        var gold = await server.Segments.GetSegmentAsync(new GetSegmentRequest { SegmentId = "tier:gold" });
        Assert.Equal(0, gold.MemberCount);
    }

    /// <summary>Ends the session of the fit's read once it waits for the lock on the log.</summary>
    private static async Task TerminateWaitingFitAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var terminate = new NpgsqlCommand(
            """
            SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%ORDER BY c.customer_key, day%'
            """,
            connection);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await terminate.ExecuteScalarAsync() is not true)
        {
            Assert.True(DateTime.UtcNow < deadline, "the fit's read never waited for the lock on the log");
            await Task.Delay(50);
        }
    }
}

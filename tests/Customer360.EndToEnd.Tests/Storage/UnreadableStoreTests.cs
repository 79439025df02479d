using Customer360.Api.V1;
using Grpc.Core;
using Npgsql;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// When the customer log cannot be read, a till is told UNAVAILABLE (retry), not an internal
/// error, and nothing is applied. The log is made unreadable for real: another session holds
/// an exclusive lock on it, in a schema of this test's own, while the server's statements time
/// out after a second.
/// </summary>
public sealed class UnreadableStoreTests
{
    [Fact]
    public async Task AConflictCheckThatCannotReadTheLogAnswersUnavailableAndChangesNothing()
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("unreadable");
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);
        var settings = await TestStores.SettingsAsync(TestStores.Postgres, "unreadable-" + Guid.NewGuid().ToString("N"));
        settings["Customer360:Storage:ConnectionString"] = new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 1 }.ConnectionString;

        // One kept touchpoint, so that the first event is only remembered by the hash of its id,
        // and another content under that id has to be checked against the log.
        settings["Customer360:RecentWindow"] = "1";
        await using var server = await TestServer.StartAsync(settings: settings);

        var id = NewCustomerId("unreadable");
        var original = Purchase(id, 40m, DateTimeOffset.UtcNow.AddHours(-2), eventId: "order-1");
        Assert.Equal(AckStatus.Accepted, (await server.Customers.RecordTouchpointAsync(Record(original))).Status);
        Assert.Equal(AckStatus.Accepted, (await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 5m, DateTimeOffset.UtcNow.AddHours(-1), eventId: "order-2")))).Status);
        var changed = original.Clone();
        changed.Amount.Amount = "41";

        await using (var blocker = new NpgsqlConnection(connectionString))
        {
            await blocker.OpenAsync();
            await using var transaction = await blocker.BeginTransactionAsync();
            await using (var lockLog = new NpgsqlCommand("LOCK TABLE customer360_log IN ACCESS EXCLUSIVE MODE", blocker, transaction))
            {
                await lockLog.ExecuteNonQueryAsync();
            }

            var unary = await Assert.ThrowsAsync<RpcException>(() => server.Customers.RecordTouchpointAsync(Record(changed)).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, unary.StatusCode);
            Assert.Contains("retry", unary.Status.Detail);

            // The same from a stream: that touchpoint alone is rejected as retryable.
            using var call = server.Customers.StreamTouchpoints();
            await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = changed });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal(AckStatus.Rejected, call.ResponseStream.Current.Status);
            Assert.Equal((int)StatusCode.Unavailable, call.ResponseStream.Current.Code);
            await call.RequestStream.CompleteAsync();
            Assert.False(await call.ResponseStream.MoveNext());

            await transaction.RollbackAsync();
        }

        // Nothing was applied, and with the log readable again the retry gets its true answer.
        var view = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal(2, view.Version);
        Assert.Equal(45m, decimal.Parse(view.Aggregates.NetSpend.Amount, System.Globalization.CultureInfo.InvariantCulture));
        var retried = await Assert.ThrowsAsync<RpcException>(() => server.Customers.RecordTouchpointAsync(Record(changed)).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, retried.StatusCode);
    }
}

using Customer360.Domain.Customers;
using Customer360.Grains.Storage;
using Customer360.Server.Hosting;
using Customer360.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>An embedded database made by an earlier version is brought up to date when the server starts.</summary>
public sealed class SqliteUpgradeTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ALogWithoutTheValueColumnsGetsThemFilledFromItsPayloads()
    {
        var connectionString = SqliteStore.ConnectionStringFor(new StorageOptions { DataPath = TestServer.NewDataPath() });
        SqliteStore.EnsureCreated(connectionString);
        var store = new SqliteCustomerStore(connectionString, "upgrade", SqliteDurability.Full, new GroupCommitOptions(), NullLogger<SqliteCustomerStore>.Instance);
        await using (store)
        {
            var purchase = new Touchpoint
            {
                EventId = "p1",
                CustomerId = "c1",
                OccurredAt = At,
                Channel = Channel.Web,
                Kind = TouchpointKind.Purchase,
                Amount = new Money(20m, "USD"),
                ReportingAmount = 18.4m,
            };
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(purchase, 1, At)));
        }

        // What an earlier version left: the same log without the two columns.
        await using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "ALTER TABLE customer360_log DROP COLUMN touchpoint_kind; ALTER TABLE customer360_log DROP COLUMN amount;";
            drop.ExecuteNonQuery();
        }

        SqliteStore.EnsureCreated(connectionString);
        SqliteStore.EnsureCreated(connectionString);

        var reopened = new SqliteCustomerStore(connectionString, "upgrade", SqliteDurability.Full, new GroupCommitOptions(), NullLogger<SqliteCustomerStore>.Instance);
        await using (reopened)
        {
            var days = await reopened.ReadPurchaseDaysAsync(null).ToListAsync();
            Assert.Equal([new CustomerDay("c1", new DailyActivity(DailyActivity.DayOf(At), 18.4m, 0m, 1))], days);
        }
    }
}

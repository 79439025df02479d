using Customer360.Domain.Customers;
using Customer360.Grains.Storage;
using Customer360.Storage;
using Microsoft.Data.Sqlite;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>The embedded store's writer copies its WAL back into the database in large steps, and loses nothing by it.</summary>
public sealed class SqliteWalTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task TheWriterCheckpointsEveryTenThousandPagesAndEveryCommitIsReadBackAfterReopening()
    {
        var connectionString = EmbeddedDatabase.Create();
        const int customers = 300;
        const int perCustomer = 20;
        var store = EmbeddedDatabase.CustomerStore(connectionString, "wal");
        await using (store)
        {
            Assert.Equal(SqliteCustomerStore.WalCheckpointPages, store.WriterWalCheckpointPages);

            // Many commits, each spread over many customers as ingestion spreads them over the
            // log's indexes: several megabytes of WAL pages on the way.
            for (var sequence = 1; sequence <= perCustomer; sequence++)
            {
                var appends = Enumerable.Range(0, customers)
                    .Select(c => store.AppendAsync(CustomerLogEntry.For(Visit($"c{c:D4}", $"e{sequence:D3}", sequence), sequence, At)))
                    .ToArray();
                Assert.All(await Task.WhenAll(appends), Assert.True);
            }
        }

        await using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*), count(DISTINCT c.customer_id) FROM customer360_log AS l JOIN customer360_customer AS c ON c.customer_key = l.customer_key WHERE c.service_id = 'wal'";
            using var row = count.ExecuteReader();
            Assert.True(row.Read());
            Assert.Equal((customers * perCustomer, customers), (row.GetInt64(0), row.GetInt64(1)));
        }

        var reopened = EmbeddedDatabase.CustomerStore(connectionString, "wal");
        await using (reopened)
        {
            var read = await reopened.ReadEntriesAsync("c0123", afterSequence: 0);
            Assert.Equal(Enumerable.Range(1, perCustomer).Select(i => (long)i), read.Select(e => e.Sequence));
        }
    }

    private static Touchpoint Visit(string customerId, string eventId, int minute) => new()
    {
        EventId = eventId,
        CustomerId = customerId,
        OccurredAt = At.AddMinutes(minute),
        Channel = Channel.Web,
        Kind = TouchpointKind.Visit,
        Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["page"] = new string('p', 400) },
    };
}

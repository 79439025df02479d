using Customer360.Domain.Values.Models;
using Customer360.Domain.Values.Models.Synthetic;
using Customer360.LoadTest.Values;
using Customer360.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// The value-model benchmark's synthetic purchases on a real PostgreSQL (<see cref="Customer360.Testing.TestPostgres"/>;
/// the test fails without one), in a schema of the test's own holding the engine's tables: the engine's
/// store reads every customer's purchases back, and deleting one service's purchases leaves
/// another's, with the same customer ids, untouched.
/// </summary>
public sealed class PostgresPurchaseLogTests
{
    private static readonly SyntheticPopulationOptions Options = new()
    {
        Purchasing = new BgNbdParameters(0.243, 4.414, 0.793, 2.426),
        Spending = new GammaGammaParameters(6.25, 3.74, 15.44),
        Seed = 11,
    };

    private static readonly DateTimeOffset End = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task PurchasesAreReadBackPerCustomerAndDeletedWithTheirServiceOnly()
    {
        await using var schema = await ScratchEngineSchema.CreateAsync();
        var customers = SyntheticPopulation.Generate(Options, 30).ToList();
        var kept = new PostgresPurchaseLog(schema.ConnectionString, "vm-test-kept");
        var deleted = new PostgresPurchaseLog(schema.ConnectionString, "vm-test-deleted");

        var rows = await kept.WriteAsync(customers, End, Options.ObservationWeeks, CancellationToken.None);
        var deletedRows = await deleted.WriteAsync(customers.Take(10), End, Options.ObservationWeeks, CancellationToken.None);

        Assert.Equal(customers.Sum(c => c.Purchases.Count), rows);
        await using (var store = new PostgresCustomerStore(schema.ConnectionString, kept.ServiceId, new GroupCommitOptions(), NullLogger<PostgresCustomerStore>.Instance))
        {
            var read = new Dictionary<string, (int Count, decimal Spend)>(StringComparer.Ordinal);
            await foreach (var day in store.ReadPurchaseDaysAsync(until: null))
            {
                var (count, spend) = read.GetValueOrDefault(day.CustomerId);
                read[day.CustomerId] = (count + day.Activity.PurchaseCount, spend + day.Activity.Purchases);
            }

            Assert.Equal(customers.Count, read.Count);
            for (var i = 0; i < customers.Count; i++)
            {
                var purchases = customers[i].Purchases;
                Assert.Equal((purchases.Count, purchases.Sum(p => decimal.Round((decimal)p.Amount, 2))), read[$"c{i}"]);
            }

            Assert.Equal(customers.Count, await store.CountCustomersAsync());
        }

        await deleted.DisposeAsync();

        Assert.Equal(0L, await schema.ScalarAsync<long>("SELECT count(*) FROM customer360_customer WHERE service_id = $1", deleted.ServiceId));
        Assert.Equal((long)customers.Count, await schema.ScalarAsync<long>("SELECT count(*) FROM customer360_customer WHERE service_id = $1", kept.ServiceId));
        Assert.True(deletedRows > 0);
        Assert.Equal(rows, await schema.ScalarAsync<long>("SELECT count(*) FROM customer360_log"));
        Assert.Equal(rows, await schema.ScalarAsync<long>(
            "SELECT count(*) FROM customer360_log l JOIN customer360_customer c ON c.customer_key = l.customer_key WHERE c.service_id = $1", kept.ServiceId));

        await kept.DisposeAsync();

        Assert.Equal(0L, await schema.ScalarAsync<long>("SELECT count(*) FROM customer360_log"));
        Assert.Equal(0L, await schema.ScalarAsync<long>("SELECT count(*) FROM customer360_customer"));
    }
}

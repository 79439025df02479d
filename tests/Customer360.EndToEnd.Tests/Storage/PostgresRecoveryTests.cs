using Customer360.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using static Customer360.EndToEnd.Tests.Storage.LogEntries;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// Start-up recovery's question, which customers changed after a log position, answered on
/// PostgreSQL both ways the store may take: from the entries after the position when few
/// entries of any service followed it, and from the service's own customers when other
/// services wrote many more since. Each test has a schema of its own, so the sizes are exact.
/// </summary>
public sealed class PostgresRecoveryTests
{
    [Fact]
    public async Task ChangedCustomersAreFoundWhetherFewOrManyEntriesOfOtherServicesFollowed()
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("recovery");
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);
        await using var shop = new PostgresCustomerStore(connectionString, "shop", new GroupCommitOptions(), NullLogger<PostgresCustomerStore>.Instance);
        await using var other = new PostgresCustomerStore(connectionString, "other", new GroupCommitOptions(), NullLogger<PostgresCustomerStore>.Instance);

        for (var i = 0; i < 5; i++)
        {
            Assert.True(await shop.AppendAsync(Visit($"c{i}", "v1", 1)));
        }

        var position = await shop.LastPositionAsync();
        Assert.True(await shop.AppendAsync(Visit("c1", "v2", 2)));
        Assert.True(await shop.AppendAsync(Visit("new", "v1", 1)));
        Assert.True(await shop.AppendAsync(Visit("c3", "v2", 2)));

        // Three entries after the position against six customers: walked from the entries.
        Assert.Equal(["c1", "c3", "new"], (await shop.CustomersAfterAsync(position)).Order(StringComparer.Ordinal));

        // Another service then writes far more than the shop has customers: walked from the
        // shop's customers, with the same answer, and nothing of the other service's.
        await Task.WhenAll(Enumerable.Range(0, 60).Select(i => other.AppendAsync(Visit($"o{i}", "v1", 1))));
        Assert.Equal(["c1", "c3", "new"], (await shop.CustomersAfterAsync(position)).Order(StringComparer.Ordinal));
        Assert.Equal(["c0", "c1", "c2", "c3", "c4", "new"], (await shop.CustomersAfterAsync(0)).Order(StringComparer.Ordinal));
        Assert.Empty(await shop.CustomersAfterAsync(await other.LastPositionAsync()));
        Assert.Equal(60, (await other.CustomersAfterAsync(position)).Count);
    }
}

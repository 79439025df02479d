using Customer360.Grains.Storage;
using Customer360.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using static Customer360.EndToEnd.Tests.Storage.LogEntries;
using static Customer360.EndToEnd.Tests.Storage.PostgresScratchSchema;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// The PostgreSQL store's log insert carries the customer keys the silo has seen committed,
/// instead of looking each up: learned from a new customer's committed first entry and from an
/// activation read, never from a batch that failed, and bounded. Each test has a schema of its own.
/// </summary>
public sealed class PostgresCustomerKeyTests
{
    private static PostgresCustomerStore Open(string connectionString, int capacity = CustomerKeyCache.DefaultCapacity) =>
        new(connectionString, "shop", new GroupCommitOptions(), NullLogger<PostgresCustomerStore>.Instance, capacity);

    private static Task<long?> StoredKeyAsync(string connectionString, string customerId) =>
        ScalarAsync<long?>(connectionString, "SELECT customer_key FROM customer360_customer WHERE service_id = 'shop' AND customer_id = $1", customerId);

    private static Task<long> EntriesUnderKeyAsync(string connectionString, long key) =>
        ScalarAsync<long>(connectionString, "SELECT count(*) FROM customer360_log WHERE customer_key = $1", key);

    [Fact]
    public async Task TheLogInsertCarriesTheKeysLearnedFromCommitsAndActivationReads()
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("keys");
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);
        await using var first = Open(connectionString);

        Assert.True(await first.AppendAsync(Visit("c1", "v1", 1)));
        var key = await StoredKeyAsync(connectionString, "c1");
        Assert.NotNull(key);
        Assert.Equal(key, first.KnownCustomerKey("c1"));

        // Another silo knows nothing until it activates the customer; a customer without a row
        // teaches it nothing.
        await using var second = Open(connectionString);
        Assert.Null(second.KnownCustomerKey("c1"));
        Assert.Empty((await second.ReadCustomerAsync("nobody")).Entries);
        Assert.Null(second.KnownCustomerKey("nobody"));
        Assert.Single((await second.ReadCustomerAsync("c1")).Entries);
        Assert.Equal(key, second.KnownCustomerKey("c1"));

        // With the customer's row no longer found by its id, only a store that carries the key can
        // still append: the insert used the key it knew, not a lookup.
        await ScalarAsync<object>(connectionString, "UPDATE customer360_customer SET customer_id = 'moved' WHERE customer_key = $1", key!.Value);
        Assert.True(await first.AppendAsync(Visit("c1", "v2", 2)));
        Assert.True(await second.AppendAsync(Visit("c1", "v3", 3)));
        Assert.Equal(3, await EntriesUnderKeyAsync(connectionString, key.Value));

        await using var third = Open(connectionString);
        await Assert.ThrowsAsync<CustomerStoreUnavailableException>(() => third.AppendAsync(Visit("c1", "v4", 4)));
        Assert.Equal(3, await EntriesUnderKeyAsync(connectionString, key.Value));
    }

    [Fact]
    public async Task ABatchThatFailsTeachesNoKey()
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("keys");
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);
        await using var store = Open(connectionString);

        // PostgreSQL refuses a NUL in text, so the log insert fails after the customer's row was
        // inserted and its key returned, in the same transaction, which rolls back.
        await Assert.ThrowsAsync<CustomerStoreUnavailableException>(() => store.AppendAsync(Visit("c1", "bad\0id", 1)));
        Assert.Null(await StoredKeyAsync(connectionString, "c1"));
        Assert.Null(store.KnownCustomerKey("c1"));

        Assert.True(await store.AppendAsync(Visit("c1", "v1", 1)));
        var key = await StoredKeyAsync(connectionString, "c1");
        Assert.NotNull(key);
        Assert.Equal(key, store.KnownCustomerKey("c1"));
        Assert.Equal(1, await EntriesUnderKeyAsync(connectionString, key!.Value));
    }

    [Fact]
    public async Task AFullCacheStartsAgainAndEveryEntryStillFindsItsCustomer()
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("keys");
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);
        await using var store = Open(connectionString, capacity: 2);

        for (var i = 0; i < 5; i++)
        {
            Assert.True(await store.AppendAsync(Visit($"c{i}", "v1", 1)));
            Assert.InRange(store.KnownCustomerKeys, 1, 2);
        }

        // c0 was let go when the cache filled; its next entry is looked up, under the same key.
        Assert.Null(store.KnownCustomerKey("c0"));
        Assert.True(await store.AppendAsync(Visit("c0", "v2", 2)));
        Assert.Equal(2, await EntriesUnderKeyAsync(connectionString, (await StoredKeyAsync(connectionString, "c0"))!.Value));
        Assert.Equal(await StoredKeyAsync(connectionString, "c4"), store.KnownCustomerKey("c4"));
    }

    [Fact]
    public void TheCacheIsClearedOnlyToMakeRoomForANewCustomer()
    {
        var cache = new CustomerKeyCache(2);
        cache.Remember("a", 1);
        cache.Remember("b", 2);

        // Remembering a known customer again leaves the others.
        cache.Remember("b", 2);
        Assert.Equal(1, cache.Find("a"));
        Assert.Equal(2, cache.Count);

        cache.Remember("c", 3);
        Assert.Equal(1, cache.Count);
        Assert.Null(cache.Find("a"));
        Assert.Equal(3, cache.Find("c"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CustomerKeyCache(0));
    }
}

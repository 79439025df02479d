using Customer360.Api.V1;
using Npgsql;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// A server on PostgreSQL checks at start-up that the database has the schema it needs, so that
/// an upgrade started before deploy/postgres/schema.sql was applied again stops at once, saying
/// what to do, instead of answering UNAVAILABLE to every customer it touches. Each test works in
/// a schema of its own.
/// </summary>
public sealed class PostgresSchemaCheckTests
{
    [Fact]
    public async Task AServerRefusesADatabaseWithAnEarlierSchemaUntilTheSchemaIsAppliedAgain()
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("earlier");
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);
        await ExecuteAsync(connectionString, "ALTER TABLE customer360_customer DROP COLUMN erased_ticks, DROP COLUMN erased_version");
        var settings = Settings(connectionString);

        var refused = await Assert.ThrowsAnyAsync<Exception>(async () => await (await TestServer.StartAsync(settings: settings)).DisposeAsync());
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);
        await using var server = await TestServer.StartAsync(settings: settings);
        var created = await server.Customers.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = "schema-check-1", GivenName = "Ada" });

        Assert.Contains("(customer360_customer.erased_ticks, customer360_customer.erased_version)", refused.Message);
        Assert.Contains("apply deploy/postgres/schema.sql", refused.Message);
        Assert.Equal(1, created.Version);
    }

    [Fact]
    public async Task AServerRefusesADatabaseWithoutTheSchemaAndNamesTheTables()
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("bare");

        var refused = await Assert.ThrowsAnyAsync<Exception>(async () => await (await TestServer.StartAsync(settings: Settings(connectionString))).DisposeAsync());

        Assert.Contains("(orleansquery, customer360grainstate, customer360membershipversion, customer360membership, customer360_customer, customer360_log and 4 more)", refused.Message);
    }

    private static Dictionary<string, string?> Settings(string connectionString) => new()
    {
        ["Customer360:Storage:Provider"] = TestStores.Postgres,
        ["Customer360:Storage:ConnectionString"] = connectionString,
        ["Customer360:Silo:ServiceId"] = "schema-check-" + Guid.NewGuid().ToString("N"),
    };

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

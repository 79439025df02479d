using Customer360.Testing;
using Npgsql;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// A PostgreSQL schema of one test's own, on the tests' server (<see cref="TestPostgres"/>; the test
/// fails without one), holding the engine's tables as deploy/postgres/schema.sql creates them, and
/// dropped with everything in it when disposed. Its connection string puts only that schema on
/// the search path, so a test never reads, writes or drops the tables of another test or run.
/// </summary>
internal sealed class ScratchEngineSchema : IAsyncDisposable
{
    private readonly string _serverConnectionString;

    private ScratchEngineSchema(string serverConnectionString, string name)
    {
        _serverConnectionString = serverConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { SearchPath = name }.ConnectionString;
    }

    public string Name { get; }

    /// <summary>Connects with the schema alone on the search path.</summary>
    public string ConnectionString { get; }

    public static async Task<ScratchEngineSchema> CreateAsync()
    {
        var connectionString = await TestPostgres.ConnectionStringAsync();

        var schema = new ScratchEngineSchema(connectionString, "c360_load_test_" + Guid.NewGuid().ToString("N")[..12]);
        await using (var server = NpgsqlDataSource.Create(connectionString))
        {
            await using var create = server.CreateCommand($"CREATE SCHEMA {schema.Name}");
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            await using var inside = NpgsqlDataSource.Create(schema.ConnectionString);
            await using var apply = inside.CreateCommand(await File.ReadAllTextAsync(SchemaFile()));
            await apply.ExecuteNonQueryAsync();
            return schema;
        }
        catch
        {
            await schema.DisposeAsync();
            throw;
        }
    }

    /// <summary>A data source on the schema, with room for <paramref name="maxPoolSize"/> connections.</summary>
    public NpgsqlDataSource DataSource(int maxPoolSize = 20)
    {
        var builder = new NpgsqlDataSourceBuilder(ConnectionString);
        builder.ConnectionStringBuilder.MaxPoolSize = maxPoolSize;
        return builder.Build();
    }

    /// <summary>The first value of a one-value query run in the schema.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var source = NpgsqlDataSource.Create(ConnectionString);
        await using var command = source.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await using var server = NpgsqlDataSource.Create(_serverConnectionString);
        await using var drop = server.CreateCommand($"DROP SCHEMA IF EXISTS {Name} CASCADE");
        await drop.ExecuteNonQueryAsync();
    }

    private static string SchemaFile()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "deploy", "postgres", "schema.sql");
            if (File.Exists(file))
            {
                return file;
            }
        }

        throw new InvalidOperationException("deploy/postgres/schema.sql not found above " + AppContext.BaseDirectory);
    }
}

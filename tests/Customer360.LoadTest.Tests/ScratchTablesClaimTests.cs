using Customer360.LoadTest.Baselines;
using Customer360.Testing;
using Npgsql;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// Two runs measuring their baselines in one database at once would drop each other's scratch
/// tables; the second is refused while the first holds its claim. Needs PostgreSQL
/// (<see cref="TestPostgres"/>); the test fails without it.
/// </summary>
public sealed class ScratchTablesClaimTests
{
    [Fact]
    public async Task ASecondClaimIsRefusedUntilTheFirstIsLetGo()
    {
        var connectionString = await TestPostgres.ConnectionStringAsync();
        await using var source = NpgsqlDataSource.Create(connectionString);

        var first = await ScratchTables.ClaimAsync(source, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<BaselineException>(() => ScratchTables.ClaimAsync(source, CancellationToken.None));
        Assert.Contains("another c360-load run", refused.Message, StringComparison.Ordinal);

        await first.DisposeAsync();
        var again = await ScratchTables.ClaimAsync(source, CancellationToken.None);
        await again.DisposeAsync();
    }
}

using Customer360.Grains.Segments;
using Customer360.Grains.Storage;
using Customer360.Server.Hosting;
using Customer360.Storage;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// What every segment store promises the segment grain, checked on a real SQLite file, a real
/// PostgreSQL server, and the in-memory store the test clusters use.
/// </summary>
public sealed class SegmentStoreContractTests
{
    public const string Memory = "memory";

    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, 123, 456, TimeSpan.Zero);

    private static async Task<ISegmentStore> OpenAsync(string kind, string? serviceId = null)
    {
        serviceId ??= "segments-" + Guid.NewGuid().ToString("N");
        switch (kind)
        {
            case TestStores.Sqlite:
                var connectionString = SqliteStore.ConnectionStringFor(new StorageOptions { DataPath = TestServer.NewDataPath() });
                SqliteStore.EnsureCreated(connectionString);
                return new SqliteSegmentStore(connectionString, serviceId);
            case TestStores.Postgres:
                var settings = await TestStores.SettingsAsync(TestStores.Postgres, serviceId);
                return new PostgresSegmentStore(settings["Customer360:Storage:ConnectionString"]!, serviceId);
            default:
                return MemorySegmentStore.ForService(serviceId);
        }
    }

    private static SegmentMemberRow Row(string customerId, long version, bool isMember, decimal netSpend, decimal score, long revision = 0) =>
        new(customerId, new MemberEntry(version, isMember, netSpend, score, revision));

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task ASegmentReadsBackAsWritten(string kind)
    {
        var store = await OpenAsync(kind);
        Assert.Null(await store.ReadSegmentAsync("tier:gold"));

        SegmentMemberRow[] rows =
        [
            Row("b", 7, true, 1234567.89m, 0.01m, revision: 3),
            Row("a", 2, true, 0.10m, 99999999.995m),
            Row("c", 9, false, 0m, 0m),
            Row("C", 1, true, -12.34m, 0m),
        ];
        var written = await store.WriteSegmentAsync("tier:gold", new SegmentHeader(42, At), rows);

        Assert.Equal(4, written);
        var stored = await store.ReadSegmentAsync("tier:gold");
        Assert.NotNull(stored);
        Assert.Equal(new SegmentHeader(42, At), stored.Header);
        Assert.Equal(rows.OrderBy(r => r.CustomerId, StringComparer.Ordinal), stored.Members);

        // Another segment and another service sharing the database see none of it.
        Assert.Null(await store.ReadSegmentAsync("tier:silver"));
        var other = await OpenAsync(kind);
        Assert.Null(await other.ReadSegmentAsync("tier:gold"));
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task AWriteOfOneMemberLeavesTheOthersAsTheyWere(string kind)
    {
        var store = await OpenAsync(kind);
        var rows = Enumerable.Range(0, 300).Select(i => Row($"m-{i:D3}", 1, true, i + 0.5m, i)).ToArray();
        await store.WriteSegmentAsync("channel:web", new SegmentHeader(1, At), rows);

        var changed = Row("m-100", 2, false, 0m, 0m);
        var written = await store.WriteSegmentAsync("channel:web", new SegmentHeader(2, At.AddSeconds(1)), [changed]);

        Assert.Equal(1, written);
        var stored = await store.ReadSegmentAsync("channel:web");
        Assert.Equal(new SegmentHeader(2, At.AddSeconds(1)), stored!.Header);
        Assert.Equal(rows.Select(r => r.CustomerId == "m-100" ? changed : r), stored.Members);
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task AMemberRowOnlyMovesForward(string kind)
    {
        var store = await OpenAsync(kind);
        await store.WriteSegmentAsync("tier:gold", new SegmentHeader(5, At), [Row("a", 5, true, 50m, 50m, revision: 2), Row("b", 1, true, 1m, 1m)]);

        // A late write (an older membership, an older header) changes nothing it carries that is older.
        var written = await store.WriteSegmentAsync("tier:gold", new SegmentHeader(4, At.AddSeconds(-1)),
            [Row("a", 5, true, 40m, 40m, revision: 1), Row("b", 1, false, 0m, 0m), Row("c", 1, true, 3m, 3m)]);
        Assert.Equal(1, written);

        // A newer score revision of the same customer version does.
        written = await store.WriteSegmentAsync("tier:gold", new SegmentHeader(6, At.AddSeconds(1)), [Row("a", 5, true, 50m, 60m, revision: 3)]);
        Assert.Equal(1, written);

        var stored = await store.ReadSegmentAsync("tier:gold");
        Assert.Equal(new SegmentHeader(6, At.AddSeconds(1)), stored!.Header);
        Assert.Equal([Row("a", 5, true, 50m, 60m, revision: 3), Row("b", 1, true, 1m, 1m), Row("c", 1, true, 3m, 3m)], stored.Members);
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task TheHeaderAndTheMembersAreWrittenInOneTransaction(string kind)
    {
        var store = await OpenAsync(kind);
        await store.WriteSegmentAsync("tier:bronze", new SegmentHeader(1, At), [Row("a", 1, true, 1m, 1m)]);

        // The second row cannot be stored, so nothing of the write is: not the first row, not the header.
        SegmentMemberRow[] broken = [Row("a", 2, true, 2m, 2m), Row(null!, 1, true, 1m, 1m)];
        await Assert.ThrowsAnyAsync<Exception>(() => store.WriteSegmentAsync("tier:bronze", new SegmentHeader(2, At.AddSeconds(1)), broken));
        await Assert.ThrowsAnyAsync<Exception>(() => store.WriteSegmentAsync("tier:silver", new SegmentHeader(1, At), broken));

        var stored = await store.ReadSegmentAsync("tier:bronze");
        Assert.Equal(new SegmentHeader(1, At), stored!.Header);
        Assert.Equal([Row("a", 1, true, 1m, 1m)], stored.Members);
        Assert.Null(await store.ReadSegmentAsync("tier:silver"));
    }
}

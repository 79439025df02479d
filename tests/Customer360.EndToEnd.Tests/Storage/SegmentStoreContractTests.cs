using Customer360.Grains.Segments;
using Customer360.Grains.Storage;
using Customer360.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// What every segment store promises the segment grain, checked on a real SQLite file, a real
/// PostgreSQL server, and the in-memory store the test clusters use.
/// </summary>
public sealed class SegmentStoreContractTests
{
    public const string Memory = "memory";

    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, 123, 456, TimeSpan.Zero);

    private sealed record Opened(ISegmentStore Store, string ServiceId, string? ConnectionString);

    private static async Task<Opened> OpenAsync(string kind, string? serviceId = null)
    {
        serviceId ??= "segments-" + Guid.NewGuid().ToString("N");
        switch (kind)
        {
            case TestStores.Sqlite:
                var connectionString = EmbeddedDatabase.Create();
                return new Opened(new SqliteSegmentStore(connectionString, serviceId), serviceId, connectionString);
            case TestStores.Postgres:
                var settings = await TestStores.SettingsAsync(TestStores.Postgres, serviceId);
                var postgres = settings["Customer360:Storage:ConnectionString"]!;
                return new Opened(new PostgresSegmentStore(postgres, serviceId), serviceId, postgres);
            default:
                return new Opened(MemorySegmentStore.ForService(serviceId), serviceId, null);
        }
    }

    private static SegmentMemberRow Row(string customerId, long version, bool isMember, decimal netSpend, decimal score, long revision = 0) =>
        new(customerId, new MemberEntry(version, isMember, netSpend, score, revision));

    private static SegmentWrite Write(StoredSegment opened, long version, DateTimeOffset at, params SegmentBucket[] buckets) =>
        new(opened.Writer, new SegmentHeader(version, at), 16, buckets);

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task ASegmentReadsBackAsWritten(string kind)
    {
        var store = (await OpenAsync(kind)).Store;
        var opened = await store.OpenSegmentAsync("tier:gold");
        Assert.True(opened.IsEmpty);
        Assert.Equal(0, opened.BucketCount);

        SegmentMemberRow[] first = [Row("b", 7, true, 1234567.89m, 0.01m, revision: 3), Row("a", 2, true, 0.10m, 99999999.995m)];
        SegmentMemberRow[] second = [Row("c", 9, false, 0m, 0m), Row("C", 1, true, -12.34m, 0m), Row("ü-ß", long.MaxValue, true, 0.000001m, -1m, revision: -1)];
        await store.WriteSegmentAsync("tier:gold", Write(opened, 42, At, new SegmentBucket(3, first), new SegmentBucket(11, second)));

        var stored = await store.OpenSegmentAsync("tier:gold");
        Assert.False(stored.IsEmpty);
        Assert.Equal(new SegmentHeader(42, At), stored.Header);
        Assert.Equal(16, stored.BucketCount);
        Assert.Equal(first.Concat(second).OrderBy(r => r.CustomerId, StringComparer.Ordinal), stored.Members);
        Assert.False(stored.HasEarlierRows);

        // Another segment and another service sharing the database see none of it.
        Assert.True((await store.OpenSegmentAsync("tier:silver")).IsEmpty);
        var other = (await OpenAsync(kind)).Store;
        Assert.True((await other.OpenSegmentAsync("tier:gold")).IsEmpty);
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task AWriteReplacesTheBucketsItCarriesWholeAndLeavesTheOthers(string kind)
    {
        var store = (await OpenAsync(kind)).Store;
        var opened = await store.OpenSegmentAsync("channel:web");
        var buckets = Enumerable.Range(0, 16)
            .Select(b => new SegmentBucket(b, [.. Enumerable.Range(0, 20).Select(i => Row($"m-{b:D2}-{i:D2}", 1, true, i + 0.5m, i))]))
            .ToArray();
        await store.WriteSegmentAsync("channel:web", Write(opened, 1, At, buckets));

        // Bucket 5 again, with one member changed and one no longer in it.
        SegmentMemberRow[] five = [.. buckets[5].Members.Skip(1).Select(r => r.CustomerId == "m-05-07" ? Row("m-05-07", 2, false, 0m, 0m) : r)];
        await store.WriteSegmentAsync("channel:web", Write(opened, 2, At.AddSeconds(1), new SegmentBucket(5, five)));

        var stored = await store.OpenSegmentAsync("channel:web");
        Assert.Equal(new SegmentHeader(2, At.AddSeconds(1)), stored.Header);
        var expected = buckets.Where(b => b.Index != 5).SelectMany(b => b.Members).Concat(five).OrderBy(r => r.CustomerId, StringComparer.Ordinal);
        Assert.Equal(expected, stored.Members);
        Assert.DoesNotContain(stored.Members, m => m.CustomerId == "m-05-00");
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task AWriteThatReplacesAllDropsTheBucketsItDoesNotCarry(string kind)
    {
        var store = (await OpenAsync(kind)).Store;
        var opened = await store.OpenSegmentAsync("tier:silver");
        await store.WriteSegmentAsync("tier:silver", Write(opened, 1, At,
            new SegmentBucket(0, [Row("a", 1, true, 1m, 1m)]), new SegmentBucket(1, [Row("b", 1, true, 2m, 2m)]), new SegmentBucket(2, [Row("c", 1, true, 3m, 3m)])));

        // The members spread over 32 buckets now: b and c moved together into bucket 17.
        await store.WriteSegmentAsync("tier:silver", new SegmentWrite(
            opened.Writer, new SegmentHeader(2, At), 32,
            [new SegmentBucket(0, [Row("a", 1, true, 1m, 1m)]), new SegmentBucket(17, [Row("b", 1, true, 2m, 2m), Row("c", 1, true, 3m, 3m)])],
            ReplacesAll: true));

        var stored = await store.OpenSegmentAsync("tier:silver");
        Assert.Equal(32, stored.BucketCount);
        Assert.Equal([Row("a", 1, true, 1m, 1m), Row("b", 1, true, 2m, 2m), Row("c", 1, true, 3m, 3m)], stored.Members);

        // Had bucket 1 or 2 been left, b or c would be there twice; a partial write after it proves the layout is the new one.
        await store.WriteSegmentAsync("tier:silver", new SegmentWrite(stored.Writer, new SegmentHeader(3, At), 32, [new SegmentBucket(17, [Row("b", 2, false, 0m, 0m)])]));
        Assert.Equal([Row("a", 1, true, 1m, 1m), Row("b", 2, false, 0m, 0m)], (await store.OpenSegmentAsync("tier:silver")).Members);
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task OnlyTheLatestOpenerCanWrite(string kind)
    {
        var store = (await OpenAsync(kind)).Store;
        var first = await store.OpenSegmentAsync("tier:platinum");
        await store.WriteSegmentAsync("tier:platinum", Write(first, 1, At, new SegmentBucket(4, [Row("a", 1, true, 1m, 1m)])));

        // Another activation opens the segment: it reads what the first wrote, and the first can write no more.
        var second = await store.OpenSegmentAsync("tier:platinum");
        Assert.NotEqual(first.Writer, second.Writer);
        Assert.Equal([Row("a", 1, true, 1m, 1m)], second.Members);

        var stale = await Assert.ThrowsAsync<SegmentSupersededException>(() =>
            store.WriteSegmentAsync("tier:platinum", Write(first, 9, At.AddSeconds(9), new SegmentBucket(4, [Row("a", 9, false, 0m, 0m)]))));
        Assert.Equal(("tier:platinum", first.Writer), (stale.SegmentId, stale.Writer));

        await store.WriteSegmentAsync("tier:platinum", Write(second, 2, At.AddSeconds(2), new SegmentBucket(4, [Row("a", 2, true, 5m, 5m)])));
        var stored = await store.OpenSegmentAsync("tier:platinum");
        Assert.Equal(new SegmentHeader(2, At.AddSeconds(2)), stored.Header);
        Assert.Equal([Row("a", 2, true, 5m, 5m)], stored.Members);
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task TheHeaderAndTheBucketsAreWrittenInOneTransaction(string kind)
    {
        var store = (await OpenAsync(kind)).Store;
        var opened = await store.OpenSegmentAsync("tier:bronze");
        await store.WriteSegmentAsync("tier:bronze", Write(opened, 1, At, new SegmentBucket(0, [Row("a", 1, true, 1m, 1m)])));

        // The second bucket cannot be stored (the database rejects a negative index), so
        // nothing of the write is: not the first bucket, not the header.
        var broken = Write(opened, 2, At.AddSeconds(1), new SegmentBucket(0, [Row("a", 2, true, 2m, 2m)]), new SegmentBucket(-1, [Row("b", 1, true, 1m, 1m)]));
        await Assert.ThrowsAnyAsync<Exception>(() => store.WriteSegmentAsync("tier:bronze", broken));

        var stored = await store.OpenSegmentAsync("tier:bronze");
        Assert.Equal(new SegmentHeader(1, At), stored.Header);
        Assert.Equal([Row("a", 1, true, 1m, 1m)], stored.Members);
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task MemberRowsOfAnEarlierVersionAreReadAndMovedToBuckets(string kind)
    {
        var (store, serviceId, connectionString) = await OpenAsync(kind);
        var opened = await store.OpenSegmentAsync("tier:gold");
        await store.WriteSegmentAsync("tier:gold", Write(opened, 3, At, new SegmentBucket(2, [Row("a", 1, true, 1m, 1m), Row("b", 5, true, 5m, 5m)])));

        // What an earlier version wrote: one row per member. For "b" the row is older than the bucket's entry.
        const string insert =
            """
            INSERT INTO customer360_segment_member (service_id, segment_id, customer_id, customer_version, score_revision, is_member, net_spend, value_score)
            VALUES (@svc, 'tier:gold', 'b', 4, 0, true, '4', '4'), (@svc, 'tier:gold', 'c', 2, 1, false, '0', '0'), (@svc, 'tier:gold', 'd', 3, 0, true, '12.345', '0.5')
            """;
        if (kind == TestStores.Sqlite)
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new SqliteCommand(insert, connection);
            command.Parameters.AddWithValue("@svc", serviceId);
            await command.ExecuteNonQueryAsync();
        }
        else
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(insert.Replace("'4', '4'", "4, 4").Replace("'0', '0'", "0, 0").Replace("'12.345', '0.5'", "12.345, 0.5"), connection);
            command.Parameters.AddWithValue("svc", serviceId);
            await command.ExecuteNonQueryAsync();
        }

        SegmentMemberRow[] all = [Row("a", 1, true, 1m, 1m), Row("b", 5, true, 5m, 5m), Row("c", 2, false, 0m, 0m, revision: 1), Row("d", 3, true, 12.345m, 0.5m)];
        var withRows = await store.OpenSegmentAsync("tier:gold");
        Assert.True(withRows.HasEarlierRows);
        Assert.Equal(all, withRows.Members);

        await store.WriteSegmentAsync("tier:gold", new SegmentWrite(withRows.Writer, new SegmentHeader(4, At), 16, [new SegmentBucket(0, all)], ReplacesAll: true));
        var moved = await store.OpenSegmentAsync("tier:gold");
        Assert.False(moved.HasEarlierRows);
        Assert.Equal(all, moved.Members);
    }
}

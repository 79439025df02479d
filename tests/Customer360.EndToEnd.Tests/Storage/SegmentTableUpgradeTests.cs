using Customer360.Grains.Segments;
using Customer360.Grains.Storage;
using Customer360.Server.Hosting;
using Customer360.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// Segment tables made by the version that stored one row per member: the header gets its
/// bucket count and writer token when the schema is applied, and the member rows are read,
/// then moved to buckets by the first write that replaces all.
/// </summary>
public sealed class SegmentTableUpgradeTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AnEmbeddedDatabaseWithMemberRowsIsBroughtUpToDate()
    {
        var connectionString = EmbeddedDatabase.Create();
        await using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var old = connection.CreateCommand();
            old.CommandText =
                """
                DROP TABLE customer360_segment;
                CREATE TABLE customer360_segment
                (
                    service_id TEXT    NOT NULL COLLATE BINARY,
                    segment_id TEXT    NOT NULL COLLATE BINARY,
                    version    INTEGER NOT NULL,
                    updated_at TEXT    NOT NULL,
                    PRIMARY KEY (service_id, segment_id)
                ) WITHOUT ROWID;
                INSERT INTO customer360_segment VALUES ('shop', 'tier:gold', 7, '2026-03-01T09:00:00.0000000+00:00');
                INSERT INTO customer360_segment_member VALUES ('shop', 'tier:gold', 'a', 3, 1, 1, '10.25', '99.5');
                INSERT INTO customer360_segment_member VALUES ('shop', 'tier:gold', 'b', 2, 0, 0, '0', '0');
                """;
            old.ExecuteNonQuery();
        }

        SqliteStore.EnsureCreated(connectionString);
        SqliteStore.EnsureCreated(connectionString);

        using var store = new SqliteSegmentStore(connectionString, "shop");
        await AssertMovedToBucketsAsync(store);
    }

    [Fact]
    public async Task APostgresDatabaseWithMemberRowsIsBroughtUpToDate()
    {
        var connectionString = await PostgresScratchSchema.CreateAsync("segments");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var old = new NpgsqlCommand(
                """
                CREATE TABLE customer360_segment
                (
                    service_id text        COLLATE "C" NOT NULL,
                    segment_id text        COLLATE "C" NOT NULL,
                    version    bigint      NOT NULL,
                    updated_at timestamptz NOT NULL,
                    PRIMARY KEY (service_id, segment_id)
                );
                CREATE TABLE customer360_segment_member
                (
                    service_id       text    COLLATE "C" NOT NULL,
                    segment_id       text    COLLATE "C" NOT NULL,
                    customer_id      text    COLLATE "C" NOT NULL,
                    customer_version bigint  NOT NULL,
                    score_revision   bigint  NOT NULL,
                    is_member        boolean NOT NULL,
                    net_spend        numeric NOT NULL,
                    value_score      numeric NOT NULL,
                    PRIMARY KEY (service_id, segment_id, customer_id)
                );
                INSERT INTO customer360_segment VALUES ('shop', 'tier:gold', 7, '2026-03-01T09:00:00Z');
                INSERT INTO customer360_segment_member VALUES ('shop', 'tier:gold', 'a', 3, 1, true, 10.25, 99.5), ('shop', 'tier:gold', 'b', 2, 0, false, 0, 0);
                """,
                connection);
            await old.ExecuteNonQueryAsync();
        }

        await PostgresScratchSchema.ApplySchemaAsync(connectionString);
        await PostgresScratchSchema.ApplySchemaAsync(connectionString);

        await using var store = new PostgresSegmentStore(connectionString, "shop");
        await AssertMovedToBucketsAsync(store);
    }

    private static async Task AssertMovedToBucketsAsync(ISegmentStore store)
    {
        SegmentMemberRow[] members =
        [
            new("a", new MemberEntry(3, true, 10.25m, 99.5m, 1)),
            new("b", new MemberEntry(2, false, 0m, 0m, 0)),
        ];
        var opened = await store.OpenSegmentAsync("tier:gold");
        Assert.Equal(new SegmentHeader(7, At), opened.Header);
        Assert.Equal(0, opened.BucketCount);
        Assert.True(opened.HasEarlierRows);
        Assert.Equal(members, opened.Members);

        var buckets = members.GroupBy(m => SegmentBuckets.Of(m.CustomerId, 16)).Select(g => new SegmentBucket(g.Key, [.. g])).ToArray();
        await store.WriteSegmentAsync("tier:gold", new SegmentWrite(opened.Writer, opened.Header, 16, buckets, ReplacesAll: true));

        var moved = await store.OpenSegmentAsync("tier:gold");
        Assert.False(moved.HasEarlierRows);
        Assert.Equal((opened.Header, 16), (moved.Header, moved.BucketCount));
        Assert.Equal(members, moved.Members);
    }
}

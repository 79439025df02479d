using Customer360.Grains.Segments;
using Customer360.Grains.Storage;
using Npgsql;

namespace Customer360.Storage;

/// <summary>
/// The segment store in PostgreSQL (customer360_segment and customer360_segment_bucket, from
/// deploy/postgres/schema.sql). Opening a segment is one round trip: the claim and the reads.
/// A write is one statement, so one transaction: the header is updated only if the writer
/// still holds the segment, and the buckets, sent as arrays and upserted through unnest, only
/// if the header was. Segment writes are few and large, so they go straight to the database,
/// not through the customer log's group committer.
/// </summary>
public sealed class PostgresSegmentStore : ISegmentStore, IAsyncDisposable
{
    /// <summary>Connections each silo's segment store uses at most, unless the connection string says otherwise.</summary>
    public const int DefaultMaxConnections = 4;

    // Bumps the writer token, creating the header of a segment never written.
    private const string ClaimSql =
        """
        INSERT INTO customer360_segment AS s (service_id, segment_id, version, updated_at, bucket_count, writer)
        VALUES ($1, $2, 0, now(), 0, 1)
        ON CONFLICT (service_id, segment_id) DO UPDATE SET writer = s.writer + 1
        RETURNING version, updated_at, bucket_count, writer
        """;

    private const string WriteSql =
        """
        WITH header AS (
            UPDATE customer360_segment
            SET version = $4, updated_at = $5, bucket_count = $6
            WHERE service_id = $1 AND segment_id = $2 AND writer = $3
            RETURNING 1
        ), buckets AS (
            INSERT INTO customer360_segment_bucket AS b (service_id, segment_id, bucket, members)
            SELECT $1, $2, u.bucket, u.members
            FROM unnest($7::integer[], $8::bytea[]) AS u (bucket, members)
            WHERE EXISTS (SELECT 1 FROM header)
            ON CONFLICT (service_id, segment_id, bucket) DO UPDATE SET members = excluded.members
            RETURNING 1
        ), stale_buckets AS (
            DELETE FROM customer360_segment_bucket
            WHERE $9 AND service_id = $1 AND segment_id = $2 AND bucket <> ALL ($7::integer[])
              AND EXISTS (SELECT 1 FROM header)
            RETURNING 1
        ), earlier_rows AS (
            DELETE FROM customer360_segment_member
            WHERE $9 AND service_id = $1 AND segment_id = $2 AND EXISTS (SELECT 1 FROM header)
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM header)::int, (SELECT count(*) FROM buckets)::int,
               (SELECT count(*) FROM stale_buckets)::int, (SELECT count(*) FROM earlier_rows)::int
        """;

    private readonly NpgsqlDataSource _source;
    private readonly string _serviceId;

    public PostgresSegmentStore(string connectionString, string serviceId)
    {
        _serviceId = serviceId;
        _source = NpgsqlDataSource.Create(PostgresConnectionSettings.ForStore(connectionString, DefaultMaxConnections));
    }

    public async Task<StoredSegment> OpenSegmentAsync(string segmentId)
    {
        // One batch, one implicit transaction: the claim holds the header's row lock until the
        // reads are done, so an earlier writer's write either committed before the claim (and
        // is read here) or finds the token changed and stores nothing.
        await using var batch = _source.CreateBatch();
        batch.BatchCommands.Add(Command(ClaimSql, segmentId));
        batch.BatchCommands.Add(Command(
            "SELECT members FROM customer360_segment_bucket WHERE service_id = $1 AND segment_id = $2", segmentId));
        batch.BatchCommands.Add(Command(
            """
            SELECT customer_id, customer_version, score_revision, is_member, net_spend, value_score
            FROM customer360_segment_member WHERE service_id = $1 AND segment_id = $2
            """,
            segmentId));
        await using var reader = await batch.ExecuteReaderAsync();
        await reader.ReadAsync();
        var header = new SegmentHeader(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1));
        var bucketCount = reader.GetInt32(2);
        var writer = reader.GetInt64(3);

        await reader.NextResultAsync();
        var buckets = new List<byte[]>();
        while (await reader.ReadAsync())
        {
            buckets.Add(reader.GetFieldValue<byte[]>(0));
        }

        await reader.NextResultAsync();
        var earlierRows = new List<SegmentMemberRow>();
        while (await reader.ReadAsync())
        {
            earlierRows.Add(new SegmentMemberRow(
                reader.GetString(0),
                new MemberEntry(reader.GetInt64(1), reader.GetBoolean(3), reader.GetDecimal(4), reader.GetDecimal(5), reader.GetInt64(2))));
        }

        return new StoredSegment(header, bucketCount, SegmentBucketCodec.Members(buckets, earlierRows), writer, earlierRows.Count > 0);
    }

    public async Task WriteSegmentAsync(string segmentId, SegmentWrite write)
    {
        var buckets = write.Buckets.OrderBy(b => b.Index).ToArray();
        byte[][] encoded = [.. buckets.Select(b => SegmentBucketCodec.Encode(b.Members))];
        await using var command = _source.CreateCommand(WriteSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _serviceId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = segmentId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = write.Writer });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = write.Header.Version });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = write.Header.UpdatedAt.ToUniversalTime() });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = write.BucketCount });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. buckets.Select(b => b.Index)] });
        command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = encoded });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = write.ReplacesAll });
        await using var result = await command.ExecuteReaderAsync();
        await result.ReadAsync();
        if (result.GetInt32(0) == 0)
        {
            throw new SegmentSupersededException(segmentId, write.Writer);
        }
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    private NpgsqlBatchCommand Command(string sql, string segmentId) =>
        new(sql)
        {
            Parameters =
            {
                new NpgsqlParameter<string> { TypedValue = _serviceId },
                new NpgsqlParameter<string> { TypedValue = segmentId },
            },
        };
}

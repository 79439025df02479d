using System.Globalization;
using Customer360.Grains.Segments;
using Customer360.Grains.Storage;
using Microsoft.Data.Sqlite;

namespace Customer360.Storage;

/// <summary>
/// The segment store in the embedded SQLite file (customer360_segment and
/// customer360_segment_bucket, from deploy/sqlite/schema.sql). Opening and writing are each one
/// immediate transaction on a pooled connection of its own; this store's transactions go one
/// at a time, so that at most one thread waits for SQLite's write lock, which the customer
/// log's writer holds during its commits.
/// </summary>
public sealed class SqliteSegmentStore(string connectionString, string serviceId) : ISegmentStore, IDisposable
{
    private readonly SemaphoreSlim _writer = new(1, 1);

    public Task<StoredSegment> OpenSegmentAsync(string segmentId) => OneAtATimeAsync(() =>
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();

        // The claim and the reads in one immediate transaction: no write of an earlier writer
        // can come between them.
        using var transaction = connection.BeginTransaction(deferred: false);
        using var claim = Command(connection, transaction,
            """
            INSERT INTO customer360_segment (service_id, segment_id, version, updated_at, bucket_count, writer)
            VALUES (@svc, @seg, 0, @now, 0, 1)
            ON CONFLICT (service_id, segment_id) DO UPDATE SET writer = customer360_segment.writer + 1
            RETURNING version, updated_at, bucket_count, writer
            """,
            segmentId);
        claim.Parameters.AddWithValue("@now", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        SegmentHeader header;
        int bucketCount;
        long writer;
        using (var row = claim.ExecuteReader())
        {
            row.Read();
            header = new SegmentHeader(row.GetInt64(0), DateTimeOffset.Parse(row.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
            bucketCount = row.GetInt32(2);
            writer = row.GetInt64(3);
        }

        var buckets = new List<byte[]>();
        using (var bucketsCommand = Command(connection, transaction,
            "SELECT members FROM customer360_segment_bucket WHERE service_id = @svc AND segment_id = @seg", segmentId))
        using (var row = bucketsCommand.ExecuteReader())
        {
            while (row.Read())
            {
                buckets.Add((byte[])row.GetValue(0));
            }
        }

        var earlierRows = new List<SegmentMemberRow>();
        using (var earlierCommand = Command(connection, transaction,
            """
            SELECT customer_id, customer_version, score_revision, is_member, net_spend, value_score
            FROM customer360_segment_member WHERE service_id = @svc AND segment_id = @seg
            """,
            segmentId))
        using (var row = earlierCommand.ExecuteReader())
        {
            while (row.Read())
            {
                earlierRows.Add(new SegmentMemberRow(
                    row.GetString(0),
                    new MemberEntry(row.GetInt64(1), row.GetInt64(3) != 0, ParseDecimal(row.GetString(4)), ParseDecimal(row.GetString(5)), row.GetInt64(2))));
            }
        }

        transaction.Commit();
        return new StoredSegment(header, bucketCount, SegmentBucketCodec.Members(buckets, earlierRows), writer, earlierRows.Count > 0);
    });

    public Task WriteSegmentAsync(string segmentId, SegmentWrite write)
    {
        var encoded = write.Buckets.Select(b => (b.Index, Bytes: SegmentBucketCodec.Encode(b.Members))).ToArray();
        return OneAtATimeAsync(() =>
        {
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            using var transaction = connection.BeginTransaction(deferred: false);
            using (var header = Command(connection, transaction,
                """
                UPDATE customer360_segment SET version = @v, updated_at = @at, bucket_count = @n
                WHERE service_id = @svc AND segment_id = @seg AND writer = @w
                """,
                segmentId))
            {
                header.Parameters.AddWithValue("@v", write.Header.Version);
                header.Parameters.AddWithValue("@at", write.Header.UpdatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                header.Parameters.AddWithValue("@n", write.BucketCount);
                header.Parameters.AddWithValue("@w", write.Writer);
                if (header.ExecuteNonQuery() == 0)
                {
                    throw new SegmentSupersededException(segmentId, write.Writer);
                }
            }

            if (write.ReplacesAll)
            {
                using var clear = Command(connection, transaction,
                    """
                    DELETE FROM customer360_segment_bucket WHERE service_id = @svc AND segment_id = @seg;
                    DELETE FROM customer360_segment_member WHERE service_id = @svc AND segment_id = @seg;
                    """,
                    segmentId);
                clear.ExecuteNonQuery();
            }

            using var upsert = Command(connection, transaction,
                """
                INSERT INTO customer360_segment_bucket (service_id, segment_id, bucket, members) VALUES (@svc, @seg, @b, @m)
                ON CONFLICT (service_id, segment_id, bucket) DO UPDATE SET members = excluded.members
                """,
                segmentId);
            var index = upsert.Parameters.Add("@b", SqliteType.Integer);
            var members = upsert.Parameters.Add("@m", SqliteType.Blob);
            upsert.Prepare();
            foreach (var (bucket, bytes) in encoded)
            {
                index.Value = bucket;
                members.Value = bytes;
                upsert.ExecuteNonQuery();
            }

            transaction.Commit();
            return 0;
        });
    }

    public void Dispose() => _writer.Dispose();

    private async Task<T> OneAtATimeAsync<T>(Func<T> work)
    {
        await _writer.WaitAsync();
        try
        {
            return await Task.Run(work);
        }
        finally
        {
            _writer.Release();
        }
    }

    private SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql, string segmentId)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("@svc", serviceId);
        command.Parameters.AddWithValue("@seg", segmentId);
        return command;
    }

    private static decimal ParseDecimal(string text) =>
        decimal.Parse(text, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);
}

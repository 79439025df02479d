using Customer360.Grains.Segments;
using Customer360.Grains.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Customer360.Storage;

/// <summary>
/// The segment store in PostgreSQL (customer360_segment and customer360_segment_member, from
/// deploy/postgres/schema.sql). A write is one statement, so one round trip and one
/// transaction: the changed members travel as arrays, are upserted through unnest, and the
/// header is upserted beside them. Segment writes are few and large, so they go straight to
/// the database, not through the customer log's group committer.
/// </summary>
public sealed class PostgresSegmentStore : ISegmentStore, IAsyncDisposable
{
    /// <summary>Connections each silo's segment store uses at most, unless the connection string says otherwise.</summary>
    public const int DefaultMaxConnections = 4;

    // A member row moves only forward, by (customer version, score revision); the header only
    // to a version at or above its own. Both in one statement: all of it commits, or none.
    private const string WriteSql =
        """
        WITH members AS (
            INSERT INTO customer360_segment_member AS m
                (service_id, segment_id, customer_id, customer_version, score_revision, is_member, net_spend, value_score)
            SELECT $1, $2, u.customer_id, u.customer_version, u.score_revision, u.is_member, u.net_spend, u.value_score
            FROM unnest($3::text[], $4::bigint[], $5::bigint[], $6::boolean[], $7::numeric[], $8::numeric[])
                 AS u (customer_id, customer_version, score_revision, is_member, net_spend, value_score)
            ON CONFLICT (service_id, segment_id, customer_id) DO UPDATE
            SET customer_version = excluded.customer_version, score_revision = excluded.score_revision,
                is_member = excluded.is_member, net_spend = excluded.net_spend, value_score = excluded.value_score
            WHERE (excluded.customer_version, excluded.score_revision) > (m.customer_version, m.score_revision)
            RETURNING 1
        ), header AS (
            INSERT INTO customer360_segment AS s (service_id, segment_id, version, updated_at)
            VALUES ($1, $2, $9, $10)
            ON CONFLICT (service_id, segment_id) DO UPDATE
            SET version = excluded.version, updated_at = excluded.updated_at
            WHERE excluded.version >= s.version
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM members)::int, (SELECT count(*) FROM header)::int
        """;

    private readonly NpgsqlDataSource _source;
    private readonly string _serviceId;

    public PostgresSegmentStore(string connectionString, string serviceId)
    {
        _serviceId = serviceId;
        _source = NpgsqlDataSource.Create(PostgresConnectionSettings.ForStore(connectionString, DefaultMaxConnections));
    }

    public async Task<StoredSegment?> ReadSegmentAsync(string segmentId)
    {
        // One statement, so one view of the database: the header and the members it goes with.
        await using var command = _source.CreateCommand(
            """
            SELECT 0 AS part, NULL::text, version, updated_at, 0::bigint, false, NULL::numeric, NULL::numeric
            FROM customer360_segment WHERE service_id = $1 AND segment_id = $2
            UNION ALL
            SELECT 1, customer_id, customer_version, NULL::timestamptz, score_revision, is_member, net_spend, value_score
            FROM customer360_segment_member WHERE service_id = $1 AND segment_id = $2
            ORDER BY 1, 2
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _serviceId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = segmentId });
        await using var row = await command.ExecuteReaderAsync();
        SegmentHeader? header = null;
        var members = new List<SegmentMemberRow>();
        while (await row.ReadAsync())
        {
            if (row.GetInt32(0) == 0)
            {
                header = new SegmentHeader(row.GetInt64(2), row.GetFieldValue<DateTimeOffset>(3));
                continue;
            }

            members.Add(new SegmentMemberRow(
                row.GetString(1),
                new MemberEntry(row.GetInt64(2), row.GetBoolean(5), row.GetDecimal(6), row.GetDecimal(7), row.GetInt64(4))));
        }

        return header is { } found ? new StoredSegment(found, members) : null;
    }

    public async Task<int> WriteSegmentAsync(string segmentId, SegmentHeader header, IReadOnlyCollection<SegmentMemberRow> changed)
    {
        // In customer id order, so that writers of one segment lock its rows in one order.
        var rows = changed.OrderBy(m => m.CustomerId, StringComparer.Ordinal).ToArray();
        await using var command = _source.CreateCommand(WriteSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = _serviceId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = segmentId });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. rows.Select(m => m.CustomerId)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. rows.Select(m => m.Entry.CustomerVersion)] });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. rows.Select(m => m.Entry.ScoreRevision)] });
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = [.. rows.Select(m => m.Entry.IsMember)] });
        command.Parameters.Add(new NpgsqlParameter<decimal[]> { TypedValue = [.. rows.Select(m => m.Entry.NetSpend)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter<decimal[]> { TypedValue = [.. rows.Select(m => m.Entry.ValueScore)], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = header.Version });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = header.UpdatedAt.ToUniversalTime() });
        await using var result = await command.ExecuteReaderAsync();
        await result.ReadAsync();
        return result.GetInt32(0);
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}

using System.Globalization;
using Customer360.Grains.Segments;
using Customer360.Grains.Storage;
using Microsoft.Data.Sqlite;

namespace Customer360.Storage;

/// <summary>
/// The segment store in the embedded SQLite file (customer360_segment and
/// customer360_segment_member, from deploy/sqlite/schema.sql). A write is one immediate
/// transaction of prepared upserts on a pooled connection of its own; writes of this store go
/// one at a time, so that at most one thread waits for SQLite's write lock, which the customer
/// log's writer holds during its commits. Money is stored as decimal text, as in the log, so
/// figures come back exact.
/// </summary>
public sealed class SqliteSegmentStore(string connectionString, string serviceId) : ISegmentStore, IDisposable
{
    private readonly SemaphoreSlim _writer = new(1, 1);

    public Task<StoredSegment?> ReadSegmentAsync(string segmentId) => Task.Run(() =>
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();

        // One read transaction: the header and the members it goes with.
        using var transaction = connection.BeginTransaction(deferred: true);
        using var headerCommand = Command(connection, transaction,
            "SELECT version, updated_at FROM customer360_segment WHERE service_id = @svc AND segment_id = @seg", segmentId);
        SegmentHeader header;
        using (var row = headerCommand.ExecuteReader())
        {
            if (!row.Read())
            {
                return null;
            }

            header = new SegmentHeader(row.GetInt64(0), DateTimeOffset.Parse(row.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
        }

        using var membersCommand = Command(connection, transaction,
            """
            SELECT customer_id, customer_version, score_revision, is_member, net_spend, value_score
            FROM customer360_segment_member WHERE service_id = @svc AND segment_id = @seg
            ORDER BY customer_id
            """,
            segmentId);
        using var members = membersCommand.ExecuteReader();
        var rows = new List<SegmentMemberRow>();
        while (members.Read())
        {
            rows.Add(new SegmentMemberRow(
                members.GetString(0),
                new MemberEntry(members.GetInt64(1), members.GetInt64(3) != 0, ParseDecimal(members.GetString(4)), ParseDecimal(members.GetString(5)), members.GetInt64(2))));
        }

        return new StoredSegment(header, rows);
    });

    public async Task<int> WriteSegmentAsync(string segmentId, SegmentHeader header, IReadOnlyCollection<SegmentMemberRow> changed)
    {
        await _writer.WaitAsync();
        try
        {
            return await Task.Run(() => Write(segmentId, header, changed));
        }
        finally
        {
            _writer.Release();
        }
    }

    public void Dispose() => _writer.Dispose();

    private int Write(string segmentId, SegmentHeader header, IReadOnlyCollection<SegmentMemberRow> changed)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        var written = 0;
        if (changed.Count > 0)
        {
            // A member row moves only forward, by (customer version, score revision).
            using var upsert = Command(connection, transaction,
                """
                INSERT INTO customer360_segment_member
                    (service_id, segment_id, customer_id, customer_version, score_revision, is_member, net_spend, value_score)
                VALUES (@svc, @seg, @c, @v, @r, @m, @n, @s)
                ON CONFLICT (service_id, segment_id, customer_id) DO UPDATE
                SET customer_version = excluded.customer_version, score_revision = excluded.score_revision,
                    is_member = excluded.is_member, net_spend = excluded.net_spend, value_score = excluded.value_score
                WHERE excluded.customer_version > customer360_segment_member.customer_version
                   OR (excluded.customer_version = customer360_segment_member.customer_version
                       AND excluded.score_revision > customer360_segment_member.score_revision)
                """,
                segmentId);
            var c = upsert.Parameters.Add("@c", SqliteType.Text);
            var v = upsert.Parameters.Add("@v", SqliteType.Integer);
            var r = upsert.Parameters.Add("@r", SqliteType.Integer);
            var m = upsert.Parameters.Add("@m", SqliteType.Integer);
            var n = upsert.Parameters.Add("@n", SqliteType.Text);
            var s = upsert.Parameters.Add("@s", SqliteType.Text);
            upsert.Prepare();
            foreach (var (customerId, entry) in changed)
            {
                c.Value = (object?)customerId ?? DBNull.Value;
                v.Value = entry.CustomerVersion;
                r.Value = entry.ScoreRevision;
                m.Value = entry.IsMember ? 1 : 0;
                n.Value = entry.NetSpend.ToString(CultureInfo.InvariantCulture);
                s.Value = entry.ValueScore.ToString(CultureInfo.InvariantCulture);
                written += upsert.ExecuteNonQuery();
            }
        }

        using var headerCommand = Command(connection, transaction,
            """
            INSERT INTO customer360_segment (service_id, segment_id, version, updated_at) VALUES (@svc, @seg, @v, @at)
            ON CONFLICT (service_id, segment_id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at
            WHERE excluded.version >= customer360_segment.version
            """,
            segmentId);
        headerCommand.Parameters.AddWithValue("@v", header.Version);
        headerCommand.Parameters.AddWithValue("@at", header.UpdatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        headerCommand.ExecuteNonQuery();
        transaction.Commit();
        return written;
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

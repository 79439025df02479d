using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using Customer360.Domain.Values;
using Customer360.Grains.Diagnostics;
using Customer360.Grains.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Customer360.Storage;

/// <summary>
/// The customer store in PostgreSQL (tables from deploy/postgres/schema.sql). Each silo's group
/// committer writes a batch as one multi-row INSERT (from arrays, through unnest) plus one
/// snapshot upsert, sent together in one round trip and one transaction.
/// </summary>
/// <remarks>
/// The log refers to customers by a <c>bigint</c> customer key from <c>customer360_customer</c>,
/// never seen outside this class: reads look the key up by (service, customer id) in the same
/// statement that uses it, and a customer's row is inserted in the transaction of its first
/// entry. The batch insert carries the keys this silo already knows (<see cref="CustomerKeyCache"/>)
/// and looks up only the others.
/// </remarks>
/// <remarks>
/// Durability: commits run with the server's <c>synchronous_commit</c>, which is on unless the
/// database is configured otherwise; an acknowledged entry is then in the flushed WAL and
/// survives a crash of the engine or of PostgreSQL. A batch is first written with a plain INSERT
/// and, only if a row breaks a unique constraint, written again row by row with ON CONFLICT
/// (see <c>CommitAsync</c>). Binary COPY could take the first attempt too, but it needs a round
/// trip of its own, and most of an insert's cost here is the log's indexes, not parsing.
/// </remarks>
public sealed class PostgresCustomerStore : ICustomerStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _source;
    private readonly string _serviceId;
    private readonly GroupCommitter _committer;
    private readonly CustomerKeyCache _keys;

    public PostgresCustomerStore(
        string connectionString, string serviceId, GroupCommitOptions options, ILogger<PostgresCustomerStore> logger, int customerKeyCapacity = CustomerKeyCache.DefaultCapacity,
        Customer360Metrics? metrics = null)
    {
        _serviceId = serviceId;
        _keys = new CustomerKeyCache(customerKeyCapacity);
        _source = NpgsqlDataSource.Create(PostgresConnectionSettings.ForStore(connectionString, DefaultMaxConnections));
        _committer = new GroupCommitter(CommitAsync, options, logger, metrics: metrics);
    }

    public GroupCommitter Committer => _committer;

    /// <summary>The key this store would give the log insert for the customer, or null if it would look it up.</summary>
    internal long? KnownCustomerKey(string customerId) => _keys.Find(customerId);

    /// <summary>How many customer keys this store holds.</summary>
    internal int KnownCustomerKeys => _keys.Count;

    public Task<bool> AppendAsync(CustomerLogEntry entry) => _committer.AppendAsync(entry);

    public void SaveSnapshot(CustomerSnapshot snapshot) => _committer.SaveSnapshot(snapshot);

    public async Task<CustomerSnapshot?> ReadSnapshotAsync(string customerId)
    {
        await using var command = _source.CreateCommand($"SELECT version, payload, {SummaryColumns} FROM customer360_snapshot WHERE service_id = $2 AND customer_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = customerId });
        command.Parameters.Add(Service());
        await using var row = await command.ExecuteReaderAsync();
        return await row.ReadAsync() ? new CustomerSnapshot(customerId, row.GetInt64(0), (byte[])row.GetValue(1), SummaryAt(row, 2, row.GetInt64(0))) : null;
    }

    public async Task<IReadOnlyList<CustomerLogEntry>> ReadEntriesAsync(string customerId, long afterSequence)
    {
        await using var command = _source.CreateCommand(
            $"SELECT sequence, kind, recorded_ticks, fingerprint, payload FROM customer360_log WHERE customer_key = {CustomerKey("$3", "$1")} AND sequence > $2 AND kind <> {ErasedKind} ORDER BY sequence");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = customerId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSequence });
        command.Parameters.Add(Service());
        await using var row = await command.ExecuteReaderAsync();
        var entries = new List<CustomerLogEntry>();
        while (await row.ReadAsync())
        {
            entries.Add(LogCodec.Decode(
                customerId, row.GetInt64(0), (LogEntryKind)row.GetInt16(1), new DateTimeOffset(row.GetInt64(2), TimeSpan.Zero), row.GetInt64(3), row.GetString(4)));
        }

        return entries;
    }

    public async Task<StoredCustomer> ReadCustomerAsync(string customerId)
    {
        // One statement, so one round trip and one view of the database: the entries are those
        // after the very snapshot returned, even if a newer snapshot is written meanwhile. The
        // snapshot's row comes first, as part 0; the customer's key, if it has one, last, as part 2,
        // with its erasure, if it was ever erased: so an activation knows it without a query more.
        await using var command = _source.CreateCommand(
            $"""
            WITH customer AS (SELECT customer_key, erased_ticks, erased_version FROM customer360_customer WHERE service_id = $2 AND customer_id = $1),
                 snapshot AS (SELECT version, payload, {SummaryColumns} FROM customer360_snapshot WHERE service_id = $2 AND customer_id = $1)
            SELECT 0 AS part, version, 0::smallint, 0::bigint, 0::bigint, payload, NULL::text, {SummaryColumns} FROM snapshot
            UNION ALL
            SELECT 1, sequence, kind, recorded_ticks, fingerprint, NULL::bytea, payload, {NoSummary} FROM customer360_log
            WHERE customer_key = (SELECT customer_key FROM customer)
              AND sequence > COALESCE((SELECT version FROM snapshot), 0) AND kind <> {ErasedKind}
            UNION ALL
            SELECT 2, customer_key, 0::smallint, erased_ticks, erased_version, NULL::bytea, NULL::text, {NoSummary} FROM customer
            ORDER BY 1, 2
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = customerId });
        command.Parameters.Add(Service());
        await using var row = await command.ExecuteReaderAsync();
        CustomerSnapshot? snapshot = null;
        CustomerTombstone? tombstone = null;
        var entries = new List<CustomerLogEntry>();
        while (await row.ReadAsync())
        {
            var part = row.GetInt32(0);
            if (part == 0)
            {
                snapshot = new CustomerSnapshot(customerId, row.GetInt64(1), (byte[])row.GetValue(5), SummaryAt(row, 7, row.GetInt64(1)));
                continue;
            }

            if (part == 2)
            {
                _keys.Remember(customerId, row.GetInt64(1));
                tombstone = TombstoneColumns.Read(row, 3);
                continue;
            }

            entries.Add(LogCodec.Decode(
                customerId, row.GetInt64(1), (LogEntryKind)row.GetInt16(2), new DateTimeOffset(row.GetInt64(3), TimeSpan.Zero), row.GetInt64(4), row.GetString(6)));
        }

        return new StoredCustomer(snapshot, entries, tombstone);
    }

    public async IAsyncEnumerable<CustomerDay> ReadPurchaseDaysAsync(
        DateTimeOffset? until, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Summed per customer and UTC day by PostgreSQL (exactly, in numeric), so only one row
        // per day with a purchase or a return travels. A tick count divided by a day's ticks is
        // the day number.
        await using var command = _source.CreateCommand(
            $"""
            SELECT c.customer_id, l.occurred_ticks / {TimeSpan.TicksPerDay} AS day,
                   COALESCE(SUM(l.amount) FILTER (WHERE l.touchpoint_kind = {(int)TouchpointKind.Purchase}), 0),
                   COALESCE(SUM(l.amount) FILTER (WHERE l.touchpoint_kind = {(int)TouchpointKind.Return}), 0),
                   COUNT(*) FILTER (WHERE l.touchpoint_kind = {(int)TouchpointKind.Purchase})
            FROM customer360_customer AS c
            JOIN customer360_log AS l ON l.customer_key = c.customer_key
            WHERE c.service_id = $1 AND l.kind = {(int)LogEntryKind.Touchpoint}
              AND l.touchpoint_kind IN ({(int)TouchpointKind.Purchase}, {(int)TouchpointKind.Return})
              AND l.occurred_ticks <= $2
            GROUP BY c.customer_key, c.customer_id, day
            ORDER BY c.customer_key, day
            """);
        command.Parameters.Add(Service());
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = until?.UtcTicks ?? DateTimeOffset.MaxValue.UtcTicks });
        command.CommandTimeout = 0;
        await using var row = await command.ExecuteReaderAsync(cancellationToken);
        while (await row.ReadAsync(cancellationToken))
        {
            yield return new CustomerDay(
                row.GetString(0),
                new DailyActivity((int)row.GetInt64(1), row.GetDecimal(2), row.GetDecimal(3), (int)row.GetInt64(4)));
        }
    }

    public async Task<LoggedEvent?> FindEventAsync(string customerId, string eventId)
    {
        await using var command = _source.CreateCommand($"SELECT sequence, fingerprint FROM customer360_log WHERE customer_key = {CustomerKey("$3", "$1")} AND event_id = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = customerId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = eventId });
        command.Parameters.Add(Service());
        await using var row = await command.ExecuteReaderAsync();
        return await row.ReadAsync() ? new LoggedEvent(row.GetInt64(0), row.GetInt64(1)) : null;
    }

    public async Task<IReadOnlyList<Touchpoint>> ReadTouchpointsAsync(string customerId, TouchpointCursor? after, DateTimeOffset? notBefore, int limit)
    {
        await using var command = _source.CreateCommand(
            $"""
            SELECT payload FROM customer360_log
            WHERE customer_key = {CustomerKey("$6", "$1")} AND kind = 1
              AND ($2::bigint IS NULL OR (occurred_ticks, event_id) < ($2, $3))
              AND ($4::bigint IS NULL OR occurred_ticks >= $4)
            ORDER BY occurred_ticks DESC, event_id DESC
            LIMIT $5
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = customerId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after?.OccurredAtUtcTicks ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after?.EventId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)notBefore?.UtcTicks ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        command.Parameters.Add(Service());
        await using var row = await command.ExecuteReaderAsync();
        var page = new List<Touchpoint>();
        while (await row.ReadAsync())
        {
            page.Add(LogCodec.DecodeTouchpoint(row.GetString(0)));
        }

        return page;
    }

    public async Task<long> LastPositionAsync()
    {
        // Positions come from one identity shared by every service in the table, so the newest
        // position of any service bounds this service's entries just as well, and it is one
        // step down the position index, whatever the planner knows about this service.
        await using var command = _source.CreateCommand("SELECT COALESCE(MAX(position), 0) FROM customer360_log");
        var last = (long)(await command.ExecuteScalarAsync() ?? 0L);

        // A batch of this silo's may hold lower positions and not have committed yet.
        await _committer.CommitsUnderWayAsync();
        return last;
    }

    public async Task<IReadOnlyList<string>> ReadCustomerIdsAsync(string? after, int limit)
    {
        await using var command = _source.CreateCommand(
            $"""
            SELECT customer_id FROM customer360_customer AS c
            WHERE service_id = $1 AND customer_id > $2 AND {HasLog}
            ORDER BY customer_id
            LIMIT $3
            """);
        command.Parameters.Add(Service());
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = after ?? string.Empty });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        await using var row = await command.ExecuteReaderAsync();
        var customers = new List<string>(limit);
        while (await row.ReadAsync())
        {
            customers.Add(row.GetString(0));
        }

        return customers;
    }

    public async Task<IReadOnlyList<SweepCandidate>> ReadSweepPageAsync(string? after, int limit)
    {
        // One statement: the page along the customers' unique index, then for each customer one
        // probe of the snapshots' primary key and one backward step down the log's. The
        // snapshot is a LATERAL probe so that the plan cannot become a merge join: with
        // statistics taken before a service grew, that plan sorted all of the service's
        // snapshots for every page, 10 to 20 times slower.
        await using var command = _source.CreateCommand(
            $"""
            SELECT c.customer_id,
                   (SELECT l.sequence FROM customer360_log AS l WHERE l.customer_key = c.customer_key ORDER BY l.sequence DESC LIMIT 1),
                   s.version, {SummaryColumns}
            FROM (SELECT customer_key, customer_id FROM customer360_customer AS c
                  WHERE service_id = $1 AND customer_id > $2 AND {HasLog}
                  ORDER BY customer_id
                  LIMIT $3) AS c
            LEFT JOIN LATERAL (
                SELECT version, {SummaryColumns} FROM customer360_snapshot
                WHERE service_id = $1 AND customer_id = c.customer_id
                LIMIT 1) AS s ON true
            ORDER BY c.customer_id
            """);
        command.Parameters.Add(Service());
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = after ?? string.Empty });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        await using var row = await command.ExecuteReaderAsync();
        var page = new List<SweepCandidate>(limit);
        while (await row.ReadAsync())
        {
            var customerId = row.GetString(0);
            var current = !row.IsDBNull(1) && !row.IsDBNull(2) && row.GetInt64(1) == row.GetInt64(2);
            page.Add(new SweepCandidate(customerId, current ? SummaryAt(row, 3, row.GetInt64(2)) : null));
        }

        return page;
    }

    public async Task<long> CountCustomersAsync()
    {
        await using var command = _source.CreateCommand($"SELECT count(*) FROM customer360_customer AS c WHERE service_id = $1 AND {HasLog}");
        command.Parameters.Add(Service());
        return (long)(await command.ExecuteScalarAsync() ?? 0L);
    }

    public async Task<IReadOnlyList<string>> CustomersAfterAsync(long position)
    {
        // Positions are shared by every service in the table, so the entries after a position
        // may be mostly other services' (always so for a new service, whose checkpoint is 0).
        // Two ways to the answer, and the cheaper one is taken: walk the entries after the
        // position (cost follows the whole table's entries since then), or walk this service's
        // customers and look at each one's newest entry (cost follows the service's customers).
        await using var sizes = _source.CreateCommand(
            "SELECT (SELECT COALESCE(MAX(position), 0) FROM customer360_log) - $1, (SELECT count(*) FROM customer360_customer WHERE service_id = $2)");
        sizes.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
        sizes.Parameters.Add(Service());
        long laterEntries, serviceCustomers;
        await using (var row = await sizes.ExecuteReaderAsync())
        {
            await row.ReadAsync();
            (laterEntries, serviceCustomers) = (row.GetInt64(0), row.GetInt64(1));
        }

        // A range scan reads an entry for less than a descent of the log's primary key costs.
        await using var command = _source.CreateCommand(
            laterEntries <= 4 * serviceCustomers
                // The OFFSET 0s keep both subqueries as written: the position range scan first,
                // then one probe of the customers' primary key per changed customer.
                ? """
                  SELECT c.customer_id
                  FROM (SELECT DISTINCT customer_key FROM customer360_log WHERE position > $1 OFFSET 0) AS changed
                  CROSS JOIN LATERAL (SELECT customer_id FROM customer360_customer
                                      WHERE customer_key = changed.customer_key AND service_id = $2 OFFSET 0) AS c
                  """
                // A customer's newest entry has its highest position: each entry is inserted only
                // after the one before it has committed (a customer waits for its own append), so
                // it draws a later position from the identity.
                : """
                  SELECT c.customer_id FROM customer360_customer AS c
                  WHERE c.service_id = $2
                    AND (SELECT l.position FROM customer360_log AS l
                         WHERE l.customer_key = c.customer_key ORDER BY l.sequence DESC LIMIT 1) > $1
                  """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
        command.Parameters.Add(Service());
        await using var rows = await command.ExecuteReaderAsync();
        var customers = new List<string>();
        while (await rows.ReadAsync())
        {
            customers.Add(rows.GetString(0));
        }

        return customers;
    }

    public async Task<CustomerTombstone?> ReadTombstoneAsync(string customerId)
    {
        await using var command = _source.CreateCommand(
            "SELECT erased_ticks, erased_version FROM customer360_customer WHERE service_id = $2 AND customer_id = $1 AND erased_ticks IS NOT NULL");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = customerId });
        command.Parameters.Add(Service());
        await using var row = await command.ExecuteReaderAsync();
        return await row.ReadAsync() ? TombstoneColumns.Read(row, 0) : null;
    }

    public async Task<CustomerErasure?> EraseCustomerAsync(string customerId, DateTimeOffset erasedAt)
    {
        // Everything queued on this silo before the erasure commits first, so that what it holds
        // of the customer is erased with the rest rather than written after it.
        await _committer.QueuedAsync();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await EraseOnceAsync(customerId, erasedAt);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.TableName == "customer360_log" && attempt < MaxErasureAttempts)
            {
                // Another silo's stale activation committed the very entry the erasure meant to
                // mark as its own, after the erasure had counted the log. Counted again, that
                // entry is erased too.
            }
        }
    }

    /// <summary>How often an erasure is tried when a stale writer takes its version first; each race needs a writer that had not heard of the erasure.</summary>
    private const int MaxErasureAttempts = 3;

    private async Task<CustomerErasure?> EraseOnceAsync(string customerId, DateTimeOffset erasedAt)
    {
        await using var connection = await _source.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        // The customer's row is locked first: two erasures of one customer take turns, and the
        // second finds the first's record.
        long key;
        CustomerTombstone? tombstone;
        await using (var find = new NpgsqlCommand(
            "SELECT customer_key, erased_ticks, erased_version FROM customer360_customer WHERE service_id = $1 AND customer_id = $2 FOR UPDATE", connection, transaction))
        {
            find.Parameters.Add(Service());
            find.Parameters.Add(new NpgsqlParameter<string> { TypedValue = customerId });
            await using var row = await find.ExecuteReaderAsync();
            if (!await row.ReadAsync())
            {
                return null;
            }

            key = row.GetInt64(0);
            tombstone = TombstoneColumns.Read(row, 1);
        }

        // The log entries are blanked rather than deleted: each keeps its customer key and
        // sequence and nothing else. A second activation of the customer that had not heard of
        // the erasure (possible for a moment while a cluster reconfigures) would otherwise write
        // its next entry into the gap, and have a touchpoint acknowledged that replay skips as
        // part of the erased history. Blanked, the sequence is taken, and that activation learns
        // it is stale as it would from any other writer. Deleting the snapshot is enough: it is
        // never written at or below the erasure's version again. Each part reports how many
        // rows it took and the highest sequence or version among them; the log's highest counts
        // the rows blanked before, including an earlier erasure's own.
        long entries, lastSequence, snapshots, snapshotVersion;
        await using (var blank = new NpgsqlCommand(
            $"""
            WITH entries AS (UPDATE customer360_log
                             SET {TombstoneColumns.BlankEntry}
                             WHERE customer_key = $1 AND kind <> {ErasedKind} RETURNING sequence),
                 snapshots AS (DELETE FROM customer360_snapshot WHERE service_id = $2 AND customer_id = $3 RETURNING version)
            SELECT (SELECT count(*) FROM entries), (SELECT COALESCE(MAX(sequence), 0) FROM customer360_log WHERE customer_key = $1),
                   (SELECT count(*) FROM snapshots), (SELECT COALESCE(MAX(version), 0) FROM snapshots)
            """,
            connection,
            transaction))
        {
            blank.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
            blank.Parameters.Add(Service());
            blank.Parameters.Add(new NpgsqlParameter<string> { TypedValue = customerId });
            await using var row = await blank.ExecuteReaderAsync();
            await row.ReadAsync();
            (entries, lastSequence, snapshots, snapshotVersion) = (row.GetInt64(0), row.GetInt64(1), row.GetInt64(2), row.GetInt64(3));
        }

        if (entries == 0 && snapshots == 0 && tombstone is not null)
        {
            // Erased before, and nothing stored since: the original erasure stands.
            return new CustomerErasure(tombstone, 0, AlreadyErased: true);
        }

        // The erasure's own version is taken in the log as well, blank: a stale writer one entry
        // behind would otherwise write there. If such a writer's entry commits first, this
        // insert fails, and the erasure starts again and counts it.
        var erased = CustomerTombstone.After(erasedAt, lastSequence, snapshotVersion, tombstone);
        await using (var take = new NpgsqlCommand(
            $"INSERT INTO customer360_log (customer_key, sequence, kind, recorded_ticks, fingerprint, payload) VALUES ($1, $2, {ErasedKind}, 0, 0, '')", connection, transaction))
        {
            take.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
            take.Parameters.Add(new NpgsqlParameter<long> { TypedValue = erased.Version });
            await take.ExecuteNonQueryAsync();
        }

        await using (var mark = new NpgsqlCommand(
            "UPDATE customer360_customer SET erased_ticks = $2, erased_version = $3 WHERE customer_key = $1", connection, transaction))
        {
            mark.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
            mark.Parameters.Add(new NpgsqlParameter<long> { TypedValue = erased.ErasedAt.UtcTicks });
            mark.Parameters.Add(new NpgsqlParameter<long> { TypedValue = erased.Version });
            await mark.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return new CustomerErasure(erased, entries, AlreadyErased: false);
    }

    public async Task AdvanceCheckpointAsync(string name, long position)
    {
        await using var command = _source.CreateCommand(
            """
            INSERT INTO customer360_checkpoint (name, position, service_id) VALUES ($1, $2, $3)
            ON CONFLICT (service_id, name) DO UPDATE SET position = GREATEST(customer360_checkpoint.position, excluded.position)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = position });
        command.Parameters.Add(Service());
        await command.ExecuteNonQueryAsync();
    }

    public async Task<IReadOnlyDictionary<string, long>> ReadCheckpointsAsync(string prefix)
    {
        await using var command = _source.CreateCommand(
            "SELECT name, position FROM customer360_checkpoint WHERE service_id = $2 AND starts_with(name, $1)");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = prefix });
        command.Parameters.Add(Service());
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found[reader.GetString(0)] = reader.GetInt64(1);
        }

        return found;
    }

    public async Task RemoveCheckpointAsync(string name, long atLeast)
    {
        await using var command = _source.CreateCommand(
            "DELETE FROM customer360_checkpoint WHERE service_id = $3 AND name = $1 AND position >= $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = atLeast });
        command.Parameters.Add(Service());
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Connections each silo's customer store uses at most, unless the connection string says otherwise.</summary>
    public const int DefaultMaxConnections = 16;

    // The snapshot's value summary columns, in the order SummaryAt reads them, and their NULLs.
    private const string SummaryColumns =
        "summary_purchase_days, summary_first_purchase_day, summary_last_purchase_day, summary_repeat_occasion_value, summary_occasion_value, summary_net_spend, summary_preferred_channel";

    private const string NoSummary = "NULL::integer, NULL::integer, NULL::integer, NULL::numeric, NULL::numeric, NULL::numeric, NULL::smallint";

    /// <summary>The value summary in <see cref="SummaryColumns"/> from <paramref name="first"/> on; null when the snapshot has none.</summary>
    private static CustomerValueSummary? SummaryAt(NpgsqlDataReader row, int first, long version) =>
        row.IsDBNull(first)
            ? null
            : new CustomerValueSummary(
                version,
                row.GetInt32(first),
                row.IsDBNull(first + 1) ? null : row.GetInt32(first + 1),
                row.IsDBNull(first + 2) ? null : row.GetInt32(first + 2),
                row.GetDecimal(first + 3),
                row.GetDecimal(first + 4),
                row.GetDecimal(first + 5),
                (Channel)row.GetInt16(first + 6));

    private NpgsqlParameter<string> Service() => new() { TypedValue = _serviceId };

    /// <summary>
    /// Whether the customer row <c>c</c> has a log: every customer but one erased and not back
    /// since. The log is probed for erased customers only.
    /// </summary>
    private const string HasLog = "(c.erased_ticks IS NULL OR EXISTS (SELECT 1 FROM customer360_log AS l WHERE l.customer_key = c.customer_key AND l.sequence > c.erased_version))";

    private const int ErasedKind = TombstoneColumns.ErasedEntryKind;

    /// <summary>A scalar subquery for the key of the customer whose service and id are the given parameters.</summary>
    private static string CustomerKey(string serviceParameter, string customerParameter) =>
        $"(SELECT customer_key FROM customer360_customer WHERE service_id = {serviceParameter} AND customer_id = {customerParameter})";

    public async ValueTask DisposeAsync()
    {
        await _committer.DisposeAsync();
        await _source.DisposeAsync();
    }

    private async Task<bool[]> CommitAsync(IReadOnlyList<CustomerLogEntry> appends, IReadOnlyList<CustomerSnapshot> snapshots, CancellationToken cancellationToken)
    {
        // Almost every batch conflicts with nothing: each customer's sequence numbers come from
        // its one activation, and event ids it has seen recently are answered before they reach
        // the log. A plain INSERT is then about a third cheaper for PostgreSQL than one with
        // ON CONFLICT DO NOTHING ... RETURNING (a speculative insertion per row, checked against
        // both unique indexes first). When a row does conflict (a retry from beyond the recent
        // window, a second activation racing the first), the whole batch rolls back and is
        // written again with per-row outcomes; nothing is half applied.
        try
        {
            await WriteAsync(appends, snapshots, perRowOutcomes: false, cancellationToken);
            return [.. appends.Select(_ => true)];
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.TableName == "customer360_log")
        {
            var inserted = await WriteAsync(appends, snapshots, perRowOutcomes: true, cancellationToken);
            return [.. appends.Select(a => inserted.Contains((a.CustomerId, a.Sequence)))];
        }
    }

    /// <summary>
    /// Writes the batch's log entries and snapshots in one round trip and one transaction. With
    /// <paramref name="perRowOutcomes"/>, rows that would break a unique constraint are skipped
    /// and the inserted rows are returned; without, such a row fails the whole batch.
    /// </summary>
    private async Task<HashSet<(string, long)>> WriteAsync(
        IReadOnlyList<CustomerLogEntry> appends, IReadOnlyList<CustomerSnapshot> snapshots, bool perRowOutcomes, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);

        // One batch, one round trip; without an explicit transaction PostgreSQL runs the
        // statements of a batch as one implicit transaction.
        await using var batch = new NpgsqlBatch(connection);
        NpgsqlBatchCommand? insert = null;
        var newCustomerKeys = false;
        if (appends.Count > 0)
        {
            // A customer's first entry brings its row, and so its key, in the same transaction.
            // The keys come back to be remembered once the transaction has committed.
            string[] newCustomers = [.. appends.Where(a => a.Sequence == 1).Select(a => a.CustomerId).Distinct(StringComparer.Ordinal)];
            if (newCustomers.Length > 0)
            {
                var customers = new NpgsqlBatchCommand(
                    """
                    INSERT INTO customer360_customer (service_id, customer_id)
                    SELECT $2, unnest($1::text[])
                    ON CONFLICT (service_id, customer_id) DO NOTHING
                    RETURNING customer_id, customer_key
                    """);
                customers.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = newCustomers });
                customers.Parameters.Add(Service());
                batch.BatchCommands.Add(customers);
                newCustomerKeys = true;
            }

            // An entry whose key this silo knows carries it; only the others are looked up (COALESCE
            // evaluates the lookup only when the key is NULL). A customer without a row fails the
            // whole batch (its key stays NULL, against the column's NOT NULL) instead of having its
            // entries dropped silently.
            const string Rows =
                """
                INSERT INTO customer360_log (customer_key, sequence, kind, event_id, occurred_ticks, recorded_ticks, fingerprint, payload, touchpoint_kind, amount)
                SELECT COALESCE(e.customer_key, (SELECT c.customer_key FROM customer360_customer AS c WHERE c.service_id = $9 AND c.customer_id = e.customer_id)),
                       e.sequence, e.kind, e.event_id, e.occurred_ticks, e.recorded_ticks, e.fingerprint, e.payload, e.touchpoint_kind, e.amount
                FROM unnest($1::text[], $2::bigint[], $3::smallint[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[], $10::smallint[], $11::numeric[], $12::bigint[])
                     AS e (customer_id, sequence, kind, event_id, occurred_ticks, recorded_ticks, fingerprint, payload, touchpoint_kind, amount, customer_key)
                """;
            insert = new NpgsqlBatchCommand(
                perRowOutcomes
                    ? $"""
                      WITH inserted AS ({Rows}
                      ON CONFLICT DO NOTHING
                      RETURNING customer_key, sequence)
                      SELECT c.customer_id, inserted.sequence FROM inserted JOIN customer360_customer AS c ON c.customer_key = inserted.customer_key
                      """
                    : Rows);
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. appends.Select(a => a.CustomerId)] });
            insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. appends.Select(a => a.Sequence)] });
            insert.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = [.. appends.Select(a => (short)a.Kind)] });
            insert.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. appends.Select(a => a.Touchpoint?.EventId)] });
            insert.Parameters.Add(new NpgsqlParameter<long?[]> { TypedValue = [.. appends.Select(a => a.Touchpoint?.OccurredAt.UtcTicks)] });
            insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. appends.Select(a => a.RecordedAt.UtcTicks)] });
            insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. appends.Select(a => a.Fingerprint)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. appends.Select(a => a.Payload)] });
            insert.Parameters.Add(Service());
            insert.Parameters.Add(new NpgsqlParameter<short?[]> { TypedValue = [.. appends.Select(a => a.TouchpointKind)] });
            insert.Parameters.Add(new NpgsqlParameter<decimal?[]> { TypedValue = [.. appends.Select(a => a.ReportingAmount)] });
            insert.Parameters.Add(new NpgsqlParameter<long?[]> { TypedValue = [.. appends.Select(a => _keys.Find(a.CustomerId))] });
            batch.BatchCommands.Add(insert);
        }

        if (snapshots.Count > 0)
        {
            var upsert = new NpgsqlBatchCommand(
                $"""
                INSERT INTO {SnapshotUpsert.Columns}
                SELECT $4, s.* FROM unnest($1::text[], $2::bigint[], $3::bytea[],
                    $5::integer[], $6::integer[], $7::integer[], $8::numeric[], $9::numeric[], $10::numeric[], $11::smallint[])
                    AS s (customer_id, version, payload, purchase_days, first_purchase_day, last_purchase_day, repeat_occasion_value, occasion_value, net_spend, preferred_channel)
                WHERE NOT EXISTS ({SnapshotUpsert.ErasedSince("$4", "s.customer_id", "s.version")})
                {SnapshotUpsert.OnConflict}
                """);
            upsert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. snapshots.Select(s => s.CustomerId)] });
            upsert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. snapshots.Select(s => s.Version)] });
            upsert.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = [.. snapshots.Select(s => s.Payload)] });
            upsert.Parameters.Add(Service());
            upsert.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. snapshots.Select(s => s.Summary?.PurchaseDays)] });
            upsert.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. snapshots.Select(s => s.Summary?.FirstPurchaseDay)] });
            upsert.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. snapshots.Select(s => s.Summary?.LastPurchaseDay)] });
            upsert.Parameters.Add(new NpgsqlParameter<decimal?[]> { TypedValue = [.. snapshots.Select(s => s.Summary?.RepeatOccasionValue)] });
            upsert.Parameters.Add(new NpgsqlParameter<decimal?[]> { TypedValue = [.. snapshots.Select(s => s.Summary?.OccasionValue)] });
            upsert.Parameters.Add(new NpgsqlParameter<decimal?[]> { TypedValue = [.. snapshots.Select(s => s.Summary?.NetSpend)] });
            upsert.Parameters.Add(new NpgsqlParameter<short?[]> { TypedValue = [.. snapshots.Select(s => (short?)s.Summary?.PreferredChannel)] });
            batch.BatchCommands.Add(upsert);
        }

        var inserted = new HashSet<(string, long)>();
        var newKeys = new List<(string CustomerId, long Key)>();
        await using (var rows = await batch.ExecuteReaderAsync(cancellationToken))
        {
            // Statements without rows (the snapshots) have no result set of their own, so the
            // reader's result sets are the new customers' keys, when there are new customers, then
            // the log insert's, when it returns.
            if (newCustomerKeys)
            {
                while (await rows.ReadAsync(cancellationToken))
                {
                    newKeys.Add((rows.GetString(0), rows.GetInt64(1)));
                }

                await rows.NextResultAsync(cancellationToken);
            }

            if (perRowOutcomes && insert is not null)
            {
                while (await rows.ReadAsync(cancellationToken))
                {
                    inserted.Add((rows.GetString(0), rows.GetInt64(1)));
                }
            }

            // Reads past the remaining statements so that their errors surface here.
            while (await rows.NextResultAsync(cancellationToken))
            {
            }
        }

        // Committed: the batch's statements ran as one implicit transaction, and every result
        // was read without an error. A key from a batch that failed may belong to no row.
        foreach (var (customerId, key) in newKeys)
        {
            _keys.Remember(customerId, key);
        }

        return inserted;
    }
}

using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using Customer360.Domain.Values;
using Customer360.Grains.Diagnostics;
using Customer360.Grains.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Channel = Customer360.Domain.Customers.Channel;

namespace Customer360.Storage;

/// <summary>
/// The customer store in the embedded SQLite file (tables from deploy/sqlite/schema.sql).
/// One connection writes, through the group committer, one transaction per batch; reads use
/// their own pooled connections, which WAL mode lets run beside the writer.
/// </summary>
/// <remarks>
/// Durability: the writer runs with <c>synchronous=FULL</c> by default, so an acknowledged
/// entry has been synced to the WAL file and survives a process crash and a power loss.
/// With <c>NORMAL</c> it survives a process crash, but the last commits before a power loss
/// may be lost.
/// <para>
/// WAL checkpoints: a batch of a few hundred entries dirties a page of each of the log's
/// indexes for nearly every entry, so with SQLite's default (a checkpoint once the WAL holds
/// 1,000 pages) the writer copied the WAL back into the database every other commit, and most
/// of its time went to those copies. It checkpoints every <see cref="WalCheckpointPages"/>
/// pages instead (40 MB with 4 KB pages), where a page changed by many commits is copied once,
/// and the WAL file is cut back to <see cref="WalSizeLimitBytes"/> after each checkpoint.
/// Durability is the same: each commit is synced to the WAL as before.
/// </para>
/// </remarks>
public sealed class SqliteCustomerStore : ICustomerStore, IAsyncDisposable
{
    /// <summary>WAL pages after which the writer's commit copies them back into the database.</summary>
    public const int WalCheckpointPages = 10_000;

    /// <summary>Size the WAL file is cut back to after a checkpoint.</summary>
    public const long WalSizeLimitBytes = 64L * 1024 * 1024;

    private readonly string _connectionString;
    private readonly string _serviceId;
    private readonly SqliteConnection _writer;
    private readonly GroupCommitter _committer;
    private readonly CustomerKeyCache _keys = new(CustomerKeyCache.DefaultCapacity);

    public SqliteCustomerStore(
        string connectionString, string serviceId, SqliteDurability durability, GroupCommitOptions options, ILogger<SqliteCustomerStore> logger, Customer360Metrics? metrics = null)
    {
        _connectionString = connectionString;
        _serviceId = serviceId;
        _writer = new SqliteConnection(connectionString);
        _writer.Open();
        using (var pragma = _writer.CreateCommand())
        {
            pragma.CommandText =
                (durability == SqliteDurability.Full ? "PRAGMA synchronous = FULL;" : "PRAGMA synchronous = NORMAL;")
                + $"PRAGMA wal_autocheckpoint = {WalCheckpointPages}; PRAGMA journal_size_limit = {WalSizeLimitBytes};";
            pragma.ExecuteNonQuery();
        }

        // SQLite has one writer: its commits go one at a time whatever the options say.
        _committer = new GroupCommitter(Commit, options, logger, maxConcurrentCommits: 1, metrics: metrics);
    }

    public GroupCommitter Committer => _committer;

    /// <summary>The database this store writes to.</summary>
    internal string ConnectionString => _connectionString;

    /// <summary>The writer's WAL checkpoint interval in pages, as SQLite reports it.</summary>
    internal long WriterWalCheckpointPages
    {
        get
        {
            using var command = _writer.CreateCommand();
            command.CommandText = "PRAGMA wal_autocheckpoint;";
            return (long)command.ExecuteScalar()!;
        }
    }

    public Task<bool> AppendAsync(CustomerLogEntry entry) => _committer.AppendAsync(entry);

    public void SaveSnapshot(CustomerSnapshot snapshot) => _committer.SaveSnapshot(snapshot);

    public Task<CustomerSnapshot?> ReadSnapshotAsync(string customerId) => OnConnectionAsync(connection =>
    {
        using var command = Command(connection, $"SELECT version, payload, {SummaryColumns} FROM customer360_snapshot WHERE service_id = @svc AND customer_id = @c", ("@svc", _serviceId), ("@c", customerId));
        using var row = command.ExecuteReader();
        return row.Read() ? new CustomerSnapshot(customerId, row.GetInt64(0), (byte[])row.GetValue(1), SummaryAt(row, 2, row.GetInt64(0))) : null;
    });

    public Task<IReadOnlyList<CustomerLogEntry>> ReadEntriesAsync(string customerId, long afterSequence) => OnConnectionAsync<IReadOnlyList<CustomerLogEntry>>(connection =>
    {
        using var command = Command(connection,
            $"SELECT sequence, kind, recorded_ticks, fingerprint, payload FROM customer360_log WHERE customer_key = {KeyOfCustomer} AND sequence > @s AND kind <> {TombstoneColumns.ErasedEntryKind} ORDER BY sequence",
            ("@svc", _serviceId), ("@c", customerId), ("@s", afterSequence));
        using var row = command.ExecuteReader();
        var entries = new List<CustomerLogEntry>();
        while (row.Read())
        {
            entries.Add(LogCodec.Decode(
                customerId, row.GetInt64(0), (LogEntryKind)row.GetInt16(1), new DateTimeOffset(row.GetInt64(2), TimeSpan.Zero), row.GetInt64(3), row.GetString(4)));
        }

        return entries;
    });

    public Task<LoggedEvent?> FindEventAsync(string customerId, string eventId) => OnConnectionAsync(connection =>
    {
        using var command = Command(connection,
            $"SELECT sequence, fingerprint FROM customer360_log WHERE customer_key = {KeyOfCustomer} AND event_id = @e",
            ("@svc", _serviceId), ("@c", customerId), ("@e", eventId));
        using var row = command.ExecuteReader();
        return row.Read() ? new LoggedEvent(row.GetInt64(0), row.GetInt64(1)) : null;
    });

    public Task<IReadOnlyList<Touchpoint>> ReadTouchpointsAsync(string customerId, TouchpointCursor? after, DateTimeOffset? notBefore, int limit) =>
        OnConnectionAsync<IReadOnlyList<Touchpoint>>(connection =>
        {
            using var command = Command(connection,
                $"""
                SELECT payload FROM customer360_log
                WHERE customer_key = {KeyOfCustomer} AND kind = 1
                  AND (@t IS NULL OR occurred_ticks < @t OR (occurred_ticks = @t AND event_id < @e))
                  AND (@from IS NULL OR occurred_ticks >= @from)
                ORDER BY occurred_ticks DESC, event_id DESC
                LIMIT @n
                """,
                ("@svc", _serviceId),
                ("@c", customerId),
                ("@t", after?.OccurredAtUtcTicks),
                ("@e", after?.EventId),
                ("@from", notBefore?.UtcTicks),
                ("@n", limit));
            using var row = command.ExecuteReader();
            var page = new List<Touchpoint>();
            while (row.Read())
            {
                page.Add(LogCodec.DecodeTouchpoint(row.GetString(0)));
            }

            return page;
        });

    public async IAsyncEnumerable<CustomerDay> ReadPurchaseDaysAsync(DateTimeOffset? until, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // SQLite would sum the decimal text as floating point, so the rows are summed here,
        // exactly, per customer and UTC day. A reader thread feeds a bounded channel, so the
        // caller's thread never waits on the file and memory stays flat however long the log.
        var days = System.Threading.Channels.Channel.CreateBounded<CustomerDay>(new BoundedChannelOptions(4096) { SingleReader = true, SingleWriter = true });
        var reader = Task.Run(
            async () =>
            {
                try
                {
                    await ReadPurchaseDays(until, days.Writer, cancellationToken);
                    days.Writer.Complete();
                }
                catch (Exception e)
                {
                    days.Writer.Complete(e);
                }
            },
            CancellationToken.None);

        await foreach (var day in days.Reader.ReadAllAsync(cancellationToken))
        {
            yield return day;
        }

        await reader;
    }

    private async Task ReadPurchaseDays(DateTimeOffset? until, ChannelWriter<CustomerDay> output, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = Command(connection,
            $"""
            SELECT c.customer_id, l.occurred_ticks, l.touchpoint_kind, l.amount
            FROM customer360_customer AS c
            JOIN customer360_log AS l ON l.customer_key = c.customer_key
            WHERE c.service_id = @svc AND l.kind = {(int)LogEntryKind.Touchpoint}
              AND l.touchpoint_kind IN ({(int)TouchpointKind.Purchase}, {(int)TouchpointKind.Return})
              AND l.occurred_ticks <= @until
            ORDER BY c.customer_id, l.occurred_ticks
            """,
            ("@svc", _serviceId),
            ("@until", until?.UtcTicks ?? DateTimeOffset.MaxValue.UtcTicks));
        using var row = command.ExecuteReader();
        CustomerDay? current = null;
        while (row.Read())
        {
            var customerId = row.GetString(0);
            var day = (int)(row.GetInt64(1) / TimeSpan.TicksPerDay);
            var isPurchase = row.GetInt32(2) == (int)TouchpointKind.Purchase;
            var amount = row.IsDBNull(3) ? 0m : decimal.Parse(row.GetString(3), NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);
            if (current is { } open && (open.Activity.Day != day || !string.Equals(open.CustomerId, customerId, StringComparison.Ordinal)))
            {
                await output.WriteAsync(open, cancellationToken);
                current = null;
            }

            var activity = current?.Activity ?? new DailyActivity(day, 0m, 0m, 0);
            current = new CustomerDay(customerId, isPurchase
                ? activity with { Purchases = activity.Purchases + amount, PurchaseCount = activity.PurchaseCount + 1 }
                : activity with { Returns = activity.Returns + amount });
        }

        if (current is { } last)
        {
            await output.WriteAsync(last, cancellationToken);
        }
    }

    public Task<long> LastPositionAsync() => OnConnectionAsync(connection =>
    {
        // Positions are rowids shared by every service in the file, so the newest position of any
        // service bounds this service's entries just as well, and it is the last rowid.
        using var command = Command(connection, "SELECT IFNULL(MAX(position), 0) FROM customer360_log");
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });

    public Task<IReadOnlyList<string>> ReadCustomerIdsAsync(string? after, int limit) => OnConnectionAsync<IReadOnlyList<string>>(connection =>
    {
        // A customer's row is written with its first entry: the customers with a log, in id
        // order along the (service, customer id) index, from the cursor.
        using var command = Command(connection,
            $"""
            SELECT customer_id FROM customer360_customer AS c
            WHERE service_id = @svc AND customer_id > @after AND {HasLog}
            ORDER BY customer_id
            LIMIT @limit
            """,
            ("@svc", _serviceId), ("@after", after ?? string.Empty), ("@limit", limit));
        using var row = command.ExecuteReader();
        var customers = new List<string>(limit);
        while (row.Read())
        {
            customers.Add(row.GetString(0));
        }

        return customers;
    });

    public Task<IReadOnlyList<SweepCandidate>> ReadSweepPageAsync(string? after, int limit) => OnConnectionAsync<IReadOnlyList<SweepCandidate>>(connection =>
    {
        // The page as ReadCustomerIdsAsync finds it, each customer's last sequence by one step
        // down the (customer key, sequence) index, and its snapshot by primary key.
        using var command = Command(connection,
            $"""
            SELECT c.customer_id,
                   (SELECT MAX(last.sequence) FROM customer360_log AS last WHERE last.customer_key = c.customer_key),
                   s.version, {SummaryColumns}
            FROM customer360_customer AS c
            LEFT JOIN customer360_snapshot AS s ON s.service_id = @svc AND s.customer_id = c.customer_id
            WHERE c.service_id = @svc AND c.customer_id > @after AND {HasLog}
            ORDER BY c.customer_id
            LIMIT @limit
            """,
            ("@svc", _serviceId), ("@after", after ?? string.Empty), ("@limit", limit));
        using var row = command.ExecuteReader();
        var page = new List<SweepCandidate>(limit);
        while (row.Read())
        {
            var current = !row.IsDBNull(1) && !row.IsDBNull(2) && row.GetInt64(1) == row.GetInt64(2);
            page.Add(new SweepCandidate(row.GetString(0), current ? SummaryAt(row, 3, row.GetInt64(2)) : null));
        }

        return page;
    });

    public Task<long> CountCustomersAsync() => OnConnectionAsync(connection =>
    {
        using var command = Command(connection, $"SELECT count(*) FROM customer360_customer AS c WHERE service_id = @svc AND {HasLog}", ("@svc", _serviceId));
        return (long)command.ExecuteScalar()!;
    });

    public Task<IReadOnlyList<string>> CustomersAfterAsync(long position) => OnConnectionAsync<IReadOnlyList<string>>(connection =>
    {
        // Forwards in commit order (the rowid) from the position; CROSS JOIN keeps the log the outer loop.
        using var command = Command(connection,
            """
            SELECT DISTINCT c.customer_id FROM customer360_log AS l
            CROSS JOIN customer360_customer AS c ON c.customer_key = l.customer_key
            WHERE l.position > @p AND c.service_id = @svc
            """,
            ("@p", position), ("@svc", _serviceId));
        using var row = command.ExecuteReader();
        var customers = new List<string>();
        while (row.Read())
        {
            customers.Add(row.GetString(0));
        }

        return customers;
    });

    public Task<CustomerTombstone?> ReadTombstoneAsync(string customerId) => OnConnectionAsync(connection =>
    {
        using var command = Command(connection,
            "SELECT erased_ticks, erased_version FROM customer360_customer WHERE service_id = @svc AND customer_id = @c AND erased_ticks IS NOT NULL",
            ("@svc", _serviceId), ("@c", customerId));
        using var row = command.ExecuteReader();
        return row.Read() ? TombstoneColumns.Read(row, 0) : null;
    });

    public async Task<CustomerErasure?> EraseCustomerAsync(string customerId, DateTimeOffset erasedAt)
    {
        // Everything queued on this silo before the erasure commits first, so that what it holds
        // of the customer is erased with the rest rather than written after it.
        await _committer.QueuedAsync();
        return await OnConnectionAsync(connection =>
        {
            // Synced whatever the writer's setting: the erasure is durable before it is reported.
            using (var pragma = Command(connection, "PRAGMA synchronous = FULL;"))
            {
                pragma.ExecuteNonQuery();
            }

            // Immediate: the write lock is taken before the reads, so no batch commits between
            // counting the customer's entries and deleting them.
            using var transaction = connection.BeginTransaction(deferred: false);
            long key;
            CustomerTombstone? tombstone;
            using (var find = Command(connection,
                "SELECT customer_key, erased_ticks, erased_version FROM customer360_customer WHERE service_id = @svc AND customer_id = @c",
                ("@svc", _serviceId), ("@c", customerId)))
            {
                find.Transaction = transaction;
                using var row = find.ExecuteReader();
                if (!row.Read())
                {
                    return null;
                }

                key = row.GetInt64(0);
                tombstone = TombstoneColumns.Read(row, 1);
            }

            // The log entries are blanked rather than deleted, as on PostgreSQL (see
            // TombstoneColumns.ErasedEntryKind): each keeps its customer key and sequence, so a
            // writer that had not heard of the erasure finds its next sequence taken. The highest
            // sequence counts the rows blanked before, including an earlier erasure's own.
            long entries, lastSequence;
            using (var measure = Command(connection,
                $"SELECT count(*) FILTER (WHERE kind <> {TombstoneColumns.ErasedEntryKind}), IFNULL(MAX(sequence), 0) FROM customer360_log WHERE customer_key = @key",
                ("@key", key)))
            {
                measure.Transaction = transaction;
                using var row = measure.ExecuteReader();
                row.Read();
                (entries, lastSequence) = (row.GetInt64(0), row.GetInt64(1));
            }

            using (var blank = Command(connection,
                $"UPDATE customer360_log SET {TombstoneColumns.BlankEntry} WHERE customer_key = @key AND kind <> {TombstoneColumns.ErasedEntryKind}",
                ("@key", key)))
            {
                blank.Transaction = transaction;
                blank.ExecuteNonQuery();
            }

            var (snapshots, snapshotVersion) = CountAndDelete(
                connection, transaction, "customer360_snapshot", "version", "service_id = @svc AND customer_id = @c", ("@svc", _serviceId), ("@c", customerId));
            if (entries == 0 && snapshots == 0 && tombstone is not null)
            {
                // Erased before, and nothing stored since: the original erasure stands.
                return new CustomerErasure(tombstone, 0, AlreadyErased: true);
            }

            // The erasure's own version is taken in the log too, blank.
            var erased = CustomerTombstone.After(erasedAt, lastSequence, snapshotVersion, tombstone);
            using (var take = Command(connection,
                $"INSERT INTO customer360_log (customer_key, sequence, kind, recorded_ticks, fingerprint, payload) VALUES (@key, @v, {TombstoneColumns.ErasedEntryKind}, 0, 0, '')",
                ("@key", key), ("@v", erased.Version)))
            {
                take.Transaction = transaction;
                take.ExecuteNonQuery();
            }

            using (var mark = Command(connection,
                "UPDATE customer360_customer SET erased_ticks = @t, erased_version = @v WHERE customer_key = @key",
                ("@t", erased.ErasedAt.UtcTicks), ("@v", erased.Version), ("@key", key)))
            {
                mark.Transaction = transaction;
                mark.ExecuteNonQuery();
            }

            transaction.Commit();
            return new CustomerErasure(erased, entries, AlreadyErased: false);
        });
    }

    /// <summary>Deletes the rows of <paramref name="table"/> that match <paramref name="where"/>: how many there were, and the highest <paramref name="column"/> among them (0 for none).</summary>
    private static (long Count, long Highest) CountAndDelete(
        SqliteConnection connection, SqliteTransaction transaction, string table, string column, string where, params (string Name, object? Value)[] parameters)
    {
        long count, highest;
        using (var measure = Command(connection, $"SELECT count(*), IFNULL(MAX({column}), 0) FROM {table} WHERE {where}", parameters))
        {
            measure.Transaction = transaction;
            using var row = measure.ExecuteReader();
            row.Read();
            count = row.GetInt64(0);
            highest = row.GetInt64(1);
        }

        using var delete = Command(connection, $"DELETE FROM {table} WHERE {where}", parameters);
        delete.Transaction = transaction;
        delete.ExecuteNonQuery();
        return (count, highest);
    }

    public Task AdvanceCheckpointAsync(string name, long position) => OnConnectionAsync(connection =>
    {
        // Checkpoints are written rarely; a separate connection competing for the write lock
        // briefly is fine (it waits up to the connection's busy timeout).
        using var command = Command(connection,
            """
            INSERT INTO customer360_checkpoint (service_id, name, position) VALUES (@svc, @n, @p)
            ON CONFLICT (service_id, name) DO UPDATE SET position = MAX(position, excluded.position)
            """,
            ("@svc", _serviceId), ("@n", name), ("@p", position));
        return command.ExecuteNonQuery();
    });

    public Task<IReadOnlyDictionary<string, long>> ReadCheckpointsAsync(string prefix) => OnConnectionAsync(connection =>
    {
        using var command = Command(connection,
            "SELECT name, position FROM customer360_checkpoint WHERE service_id = @svc AND substr(name, 1, length(@prefix)) = @prefix",
            ("@svc", _serviceId), ("@prefix", prefix));
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            found[reader.GetString(0)] = reader.GetInt64(1);
        }

        return (IReadOnlyDictionary<string, long>)found;
    });

    public Task RemoveCheckpointAsync(string name, long atLeast) => OnConnectionAsync(connection =>
    {
        using var command = Command(connection,
            "DELETE FROM customer360_checkpoint WHERE service_id = @svc AND name = @n AND position >= @p",
            ("@svc", _serviceId), ("@n", name), ("@p", atLeast));
        return command.ExecuteNonQuery();
    });

    public async ValueTask DisposeAsync()
    {
        await _committer.DisposeAsync();
        await _writer.DisposeAsync();
    }

    // Runs on the single writer loop: one immediate transaction for the whole batch.
    private Task<bool[]> Commit(IReadOnlyList<CustomerLogEntry> appends, IReadOnlyList<CustomerSnapshot> snapshots, CancellationToken cancellationToken)
    {
        var stored = new bool[appends.Count];
        using var transaction = _writer.BeginTransaction(deferred: false);
        using var customers = new CustomerKeys(_writer, transaction, _serviceId, _keys);
        if (appends.Count > 0)
        {
            using var insert = _writer.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText =
                """
                INSERT INTO customer360_log (customer_key, sequence, kind, event_id, occurred_ticks, recorded_ticks, fingerprint, payload, touchpoint_kind, amount)
                VALUES (@key, @s, @k, @e, @o, @r, @f, @p, @tk, @a)
                ON CONFLICT DO NOTHING
                """;
            var key = insert.Parameters.Add("@key", SqliteType.Integer);
            var s = insert.Parameters.Add("@s", SqliteType.Integer);
            var k = insert.Parameters.Add("@k", SqliteType.Integer);
            var e = insert.Parameters.Add("@e", SqliteType.Text);
            var o = insert.Parameters.Add("@o", SqliteType.Integer);
            var r = insert.Parameters.Add("@r", SqliteType.Integer);
            var f = insert.Parameters.Add("@f", SqliteType.Integer);
            var p = insert.Parameters.Add("@p", SqliteType.Text);
            var tk = insert.Parameters.Add("@tk", SqliteType.Integer);
            var a = insert.Parameters.Add("@a", SqliteType.Text);
            insert.Prepare();
            for (var i = 0; i < appends.Count; i++)
            {
                var entry = appends[i];
                key.Value = customers.KeyOf(entry.CustomerId);
                s.Value = entry.Sequence;
                k.Value = (short)entry.Kind;
                e.Value = (object?)entry.Touchpoint?.EventId ?? DBNull.Value;
                o.Value = (object?)entry.Touchpoint?.OccurredAt.UtcTicks ?? DBNull.Value;
                r.Value = entry.RecordedAt.UtcTicks;
                f.Value = entry.Fingerprint;
                p.Value = entry.Payload;
                tk.Value = (object?)entry.TouchpointKind ?? DBNull.Value;
                a.Value = (object?)entry.ReportingAmount?.ToString(CultureInfo.InvariantCulture) ?? DBNull.Value;
                stored[i] = insert.ExecuteNonQuery() == 1;
            }
        }

        if (snapshots.Count > 0)
        {
            using var upsert = _writer.CreateCommand();
            upsert.Transaction = transaction;
            upsert.CommandText =
                $"""
                INSERT INTO {SnapshotUpsert.Columns}
                SELECT @svc, @c, @v, @p, @sd, @sf, @sl, @sr, @so, @sn, @sc
                WHERE NOT EXISTS ({SnapshotUpsert.ErasedSince("@svc", "@c", "@v")})
                {SnapshotUpsert.OnConflict}
                """;
            upsert.Parameters.AddWithValue("@svc", _serviceId);
            var c = upsert.Parameters.Add("@c", SqliteType.Text);
            var v = upsert.Parameters.Add("@v", SqliteType.Integer);
            var p = upsert.Parameters.Add("@p", SqliteType.Blob);
            var sd = upsert.Parameters.Add("@sd", SqliteType.Integer);
            var sf = upsert.Parameters.Add("@sf", SqliteType.Integer);
            var sl = upsert.Parameters.Add("@sl", SqliteType.Integer);
            var sr = upsert.Parameters.Add("@sr", SqliteType.Text);
            var so = upsert.Parameters.Add("@so", SqliteType.Text);
            var sn = upsert.Parameters.Add("@sn", SqliteType.Text);
            var sc = upsert.Parameters.Add("@sc", SqliteType.Integer);
            upsert.Prepare();
            foreach (var snapshot in snapshots)
            {
                var summary = snapshot.Summary;
                c.Value = snapshot.CustomerId;
                v.Value = snapshot.Version;
                p.Value = snapshot.Payload;
                sd.Value = (object?)summary?.PurchaseDays ?? DBNull.Value;
                sf.Value = (object?)summary?.FirstPurchaseDay ?? DBNull.Value;
                sl.Value = (object?)summary?.LastPurchaseDay ?? DBNull.Value;
                sr.Value = (object?)summary?.RepeatOccasionValue.ToString(CultureInfo.InvariantCulture) ?? DBNull.Value;
                so.Value = (object?)summary?.OccasionValue.ToString(CultureInfo.InvariantCulture) ?? DBNull.Value;
                sn.Value = (object?)summary?.NetSpend.ToString(CultureInfo.InvariantCulture) ?? DBNull.Value;
                sc.Value = summary is null ? DBNull.Value : (int)summary.PreferredChannel;
                upsert.ExecuteNonQuery();
            }
        }

        transaction.Commit();
        customers.Committed();

        return Task.FromResult(stored);
    }

    /// <summary>
    /// Whether the customer row <c>c</c> has a log: every customer but one erased and not back
    /// since. The log is probed for erased customers only.
    /// </summary>
    private const string HasLog = "(c.erased_ticks IS NULL OR EXISTS (SELECT 1 FROM customer360_log AS l WHERE l.customer_key = c.customer_key AND l.sequence > c.erased_version))";

    /// <summary>
    /// A scalar subquery for the key of the customer whose id is <c>@c</c> in service <c>@svc</c>
    /// (NULL for a customer never seen, which then matches no entry).
    /// </summary>
    private const string KeyOfCustomer = "(SELECT customer_key FROM customer360_customer WHERE service_id = @svc AND customer_id = @c)";

    /// <summary>
    /// Customers' keys as the writer's transaction sees them: from the store's cache of committed
    /// keys, else from the customer's row, else from a row this transaction inserts. Keys read
    /// from rows committed earlier go into the cache at once; keys of inserted rows only once the
    /// transaction has committed (<see cref="Committed"/>). Its statements are prepared on the
    /// first key the cache does not hold.
    /// </summary>
    private sealed class CustomerKeys(SqliteConnection writer, SqliteTransaction transaction, string serviceId, CustomerKeyCache cache) : IDisposable
    {
        private SqliteCommand? _find;
        private SqliteCommand? _insert;
        private Dictionary<string, long>? _inserted;

        public long KeyOf(string customerId)
        {
            if (cache.Find(customerId) is { } cached)
            {
                return cached;
            }

            if (_inserted is not null && _inserted.TryGetValue(customerId, out var inserted))
            {
                return inserted;
            }

            _find ??= Prepared(writer, transaction, serviceId, "SELECT customer_key FROM customer360_customer WHERE service_id = @svc AND customer_id = @c");
            _find.Parameters["@c"].Value = customerId;
            if (_find.ExecuteScalar() is long existing)
            {
                cache.Remember(customerId, existing);
                return existing;
            }

            _insert ??= Prepared(writer, transaction, serviceId, "INSERT INTO customer360_customer (service_id, customer_id) VALUES (@svc, @c) RETURNING customer_key");
            _insert.Parameters["@c"].Value = customerId;
            var key = (long)_insert.ExecuteScalar()!;
            (_inserted ??= new(StringComparer.Ordinal))[customerId] = key;
            return key;
        }

        /// <summary>The transaction has committed: the keys of the rows it inserted are remembered.</summary>
        public void Committed()
        {
            foreach (var (customerId, key) in _inserted ?? [])
            {
                cache.Remember(customerId, key);
            }
        }

        public void Dispose()
        {
            _find?.Dispose();
            _insert?.Dispose();
        }

        private static SqliteCommand Prepared(SqliteConnection writer, SqliteTransaction transaction, string serviceId, string sql)
        {
            var command = writer.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            command.Parameters.AddWithValue("@svc", serviceId);
            command.Parameters.Add("@c", SqliteType.Text);
            command.Prepare();
            return command;
        }
    }

    // The snapshot's value summary columns, in the order SummaryAt reads them.
    private const string SummaryColumns =
        "summary_purchase_days, summary_first_purchase_day, summary_last_purchase_day, summary_repeat_occasion_value, summary_occasion_value, summary_net_spend, summary_preferred_channel";

    /// <summary>The value summary in <see cref="SummaryColumns"/> from <paramref name="first"/> on; null when the snapshot has none.</summary>
    private static CustomerValueSummary? SummaryAt(SqliteDataReader row, int first, long version) =>
        row.IsDBNull(first)
            ? null
            : new CustomerValueSummary(
                version,
                row.GetInt32(first),
                row.IsDBNull(first + 1) ? null : row.GetInt32(first + 1),
                row.IsDBNull(first + 2) ? null : row.GetInt32(first + 2),
                DecimalText(row.GetString(first + 3)),
                DecimalText(row.GetString(first + 4)),
                DecimalText(row.GetString(first + 5)),
                (Channel)row.GetInt32(first + 6));

    private static decimal DecimalText(string text) => decimal.Parse(text, NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);

    // Microsoft.Data.Sqlite runs "async" calls synchronously; reads (and the rare checkpoint
    // write) go to the thread pool on a pooled connection of their own, so that a slow disk
    // never holds up a grain scheduler thread.
    private Task<T> OnConnectionAsync<T>(Func<SqliteConnection, T> read) => Task.Run(() =>
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return read(connection);
    });

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }
}

/// <summary>How hard the SQLite store syncs each commit ("Customer360:Storage:SqliteSynchronous").</summary>
public enum SqliteDurability
{
    /// <summary>Every commit is synced to disk: survives a power loss. The default.</summary>
    Full,

    /// <summary>Commits are synced at checkpoints: survives a process crash, not always a power loss.</summary>
    Normal,
}

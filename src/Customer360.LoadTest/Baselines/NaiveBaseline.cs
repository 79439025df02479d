using System.Diagnostics;
using Customer360.LoadTest.Workload;
using Npgsql;

namespace Customer360.LoadTest.Baselines;

/// <summary>
/// Baseline (b), the design the engine replaces: every touchpoint is its own transaction that
/// inserts the log row and upserts the customer's aggregates row, from a pool of concurrent
/// connections taking touchpoints off one shared queue. Each transaction goes to the server in a
/// single round trip with prepared statements, which is the best this design can do; what limits
/// it is one commit (one WAL flush) per touchpoint.
/// </summary>
internal sealed class NaiveBaseline(NpgsqlDataSource source, int connections)
{
    public const int DefaultConnections = 16;

    public const int DefaultTouchpoints = 20_000;

    /// <param name="reads">Reads run at a fixed rate while the writes run, if given.</param>
    public async Task<BaselineResult> RunAsync(IReadOnlyList<WorkloadTouchpoint> touchpoints, string serviceId, CancellationToken cancellationToken, NaiveReads? reads = null)
    {
        await ScratchTables.RecreateLogAsync(source, ScratchTables.NaiveLog, cancellationToken);
        await ScratchTables.RecreateNaiveCustomerAsync(source, cancellationToken);

        // Connections are opened and statements prepared before the clock starts.
        var writers = new List<NaiveWriter>(connections);
        try
        {
            for (var i = 0; i < connections; i++)
            {
                writers.Add(await NaiveWriter.OpenAsync(source, serviceId, cancellationToken));
            }

            if (reads is not null)
            {
                await reads.OpenAsync(serviceId, cancellationToken);
            }

            using var stopReads = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var reading = reads?.RunAsync(stopReads.Token) ?? Task.CompletedTask;

            // The shared queue: each writer takes the next untaken touchpoint.
            var next = -1;
            var started = Stopwatch.GetTimestamp();
            TimeSpan elapsed;
            try
            {
                await Task.WhenAll(writers.Select(writer => Task.Run(
                    async () =>
                    {
                        int index;
                        while ((index = Interlocked.Increment(ref next)) < touchpoints.Count)
                        {
                            await writer.WriteAsync(touchpoints[index], cancellationToken);
                            reads?.Written(touchpoints[index].CustomerId);
                        }
                    },
                    cancellationToken)));
                elapsed = Stopwatch.GetElapsedTime(started);
            }
            finally
            {
                await stopReads.CancelAsync();
                await reading;
            }

            var stored = await ScratchTables.CountAsync(source, ScratchTables.NaiveLog, cancellationToken);
            if (stored != touchpoints.Count)
            {
                throw new BaselineException($"the naive design stored {stored:N0} log rows of {touchpoints.Count:N0}");
            }

            return new BaselineResult(touchpoints.Count, elapsed, $"1 transaction per touchpoint, {connections} connections");
        }
        finally
        {
            foreach (var writer in writers)
            {
                await writer.DisposeAsync();
            }
        }
    }

    /// <summary>One connection with the per-touchpoint transaction prepared on it.</summary>
    private sealed class NaiveWriter : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlBatch _batch;
        private readonly NpgsqlParameter<string> _customerId = new();
        private readonly NpgsqlParameter<long> _sequence = new();
        private readonly NpgsqlParameter<string> _eventId = new();
        private readonly NpgsqlParameter<long> _occurredTicks = new();
        private readonly NpgsqlParameter<long> _recordedTicks = new();
        private readonly NpgsqlParameter<long> _fingerprint = new();
        private readonly NpgsqlParameter<string> _payload = new();
        private readonly NpgsqlParameter<short> _kind = new();
        private readonly NpgsqlParameter _amount = new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Numeric };
        private readonly NpgsqlParameter<string> _aggregateCustomerId = new();
        private readonly NpgsqlParameter<decimal> _netSpendChange = new();
        private readonly NpgsqlParameter<DateTime> _occurredAt = new();

        private NaiveWriter(NpgsqlConnection connection, string serviceId)
        {
            _connection = connection;

            // A batch without an explicit transaction runs as one implicit transaction: both
            // statements commit together or not at all.
            _batch = new NpgsqlBatch(connection);
            var insert = new NpgsqlBatchCommand(
                $"""
                INSERT INTO {ScratchTables.NaiveLog} (service_id, customer_id, sequence, kind, event_id, occurred_ticks, recorded_ticks, fingerprint, payload, touchpoint_kind, amount)
                VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9, $10)
                """);
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
            insert.Parameters.Add(_customerId);
            insert.Parameters.Add(_sequence);
            insert.Parameters.Add(_eventId);
            insert.Parameters.Add(_occurredTicks);
            insert.Parameters.Add(_recordedTicks);
            insert.Parameters.Add(_fingerprint);
            insert.Parameters.Add(_payload);
            insert.Parameters.Add(_kind);
            insert.Parameters.Add(_amount);

            var upsert = new NpgsqlBatchCommand(
                $"""
                INSERT INTO {ScratchTables.NaiveCustomer} AS c (customer_id, touchpoint_count, net_spend, last_occurred)
                VALUES ($1, 1, $2, $3)
                ON CONFLICT (customer_id) DO UPDATE SET
                    touchpoint_count = c.touchpoint_count + 1,
                    net_spend = c.net_spend + excluded.net_spend,
                    last_occurred = GREATEST(c.last_occurred, excluded.last_occurred)
                """);
            upsert.Parameters.Add(_aggregateCustomerId);
            upsert.Parameters.Add(_netSpendChange);
            upsert.Parameters.Add(_occurredAt);

            _batch.BatchCommands.Add(insert);
            _batch.BatchCommands.Add(upsert);
        }

        public static async Task<NaiveWriter> OpenAsync(NpgsqlDataSource source, string serviceId, CancellationToken cancellationToken)
        {
            var connection = await source.OpenConnectionAsync(cancellationToken);
            var writer = new NaiveWriter(connection, serviceId);
            await writer._batch.PrepareAsync(cancellationToken);
            return writer;
        }

        public async Task WriteAsync(WorkloadTouchpoint touchpoint, CancellationToken cancellationToken)
        {
            _customerId.TypedValue = touchpoint.CustomerId;
            _sequence.TypedValue = touchpoint.Sequence;
            _eventId.TypedValue = touchpoint.EventId;
            _occurredTicks.TypedValue = touchpoint.OccurredAt.UtcTicks;
            _recordedTicks.TypedValue = DateTime.UtcNow.Ticks;
            _fingerprint.TypedValue = touchpoint.Fingerprint;
            _payload.TypedValue = touchpoint.Payload;
            _kind.TypedValue = touchpoint.Kind;
            _amount.Value = (object?)touchpoint.ReportingAmount ?? DBNull.Value;
            _aggregateCustomerId.TypedValue = touchpoint.CustomerId;
            _netSpendChange.TypedValue = touchpoint.NetSpendChange;
            _occurredAt.TypedValue = touchpoint.OccurredAt.UtcDateTime;
            await _batch.ExecuteNonQueryAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            await _batch.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}

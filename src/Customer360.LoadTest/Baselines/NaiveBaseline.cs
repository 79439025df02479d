using System.Diagnostics;
using Customer360.LoadTest.Workload;
using Npgsql;

namespace Customer360.LoadTest.Baselines;

/// <summary>
/// Baseline (b), the design the engine replaces: every touchpoint is its own transaction that
/// upserts the customer's aggregates row and inserts the log row under the customer key that row
/// carries, from a pool of concurrent connections taking touchpoints off one shared queue. Each
/// transaction is one prepared statement, so one round trip, which is the best this design can
/// do; what limits it is one commit (one WAL flush) per touchpoint.
/// </summary>
internal sealed class NaiveBaseline(NpgsqlDataSource source, int connections)
{
    public const int DefaultConnections = 16;

    public const int DefaultTouchpoints = 20_000;

    /// <param name="reads">Reads run at a fixed rate while the writes run, if given.</param>
    public async Task<BaselineResult> RunAsync(IReadOnlyList<WorkloadTouchpoint> touchpoints, CancellationToken cancellationToken, NaiveReads? reads = null)
    {
        await ScratchTables.RecreateLogAsync(source, ScratchTables.NaiveLog, cancellationToken);
        await ScratchTables.RecreateNaiveCustomerAsync(source, cancellationToken);

        // Connections are opened and statements prepared before the clock starts.
        var writers = new List<NaiveWriter>(connections);
        try
        {
            for (var i = 0; i < connections; i++)
            {
                writers.Add(await NaiveWriter.OpenAsync(source, cancellationToken));
            }

            if (reads is not null)
            {
                await reads.OpenAsync(cancellationToken);
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
        private readonly NpgsqlCommand _command;
        private readonly NpgsqlParameter<string> _customerId = new();
        private readonly NpgsqlParameter<decimal> _netSpendChange = new();
        private readonly NpgsqlParameter<DateTime> _occurredAt = new();
        private readonly NpgsqlParameter<long> _sequence = new();
        private readonly NpgsqlParameter<string> _eventId = new();
        private readonly NpgsqlParameter<long> _occurredTicks = new();
        private readonly NpgsqlParameter<long> _recordedTicks = new();
        private readonly NpgsqlParameter<long> _fingerprint = new();
        private readonly NpgsqlParameter<string> _payload = new();
        private readonly NpgsqlParameter<short> _kind = new();
        private readonly NpgsqlParameter _amount = new() { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Numeric };

        private NaiveWriter(NpgsqlConnection connection)
        {
            _connection = connection;

            // One statement, so one implicit transaction: the upsert hands its row's customer key
            // to the log insert, and both commit together or not at all.
            _command = new NpgsqlCommand(
                $"""
                WITH customer AS (
                    INSERT INTO {ScratchTables.NaiveCustomer} AS c (customer_id, touchpoint_count, net_spend, last_occurred)
                    VALUES ($1, 1, $2, $3)
                    ON CONFLICT (customer_id) DO UPDATE SET
                        touchpoint_count = c.touchpoint_count + 1,
                        net_spend = c.net_spend + excluded.net_spend,
                        last_occurred = GREATEST(c.last_occurred, excluded.last_occurred)
                    RETURNING c.customer_key)
                INSERT INTO {ScratchTables.NaiveLog} (customer_key, sequence, kind, event_id, occurred_ticks, recorded_ticks, fingerprint, payload, touchpoint_kind, amount)
                SELECT customer.customer_key, $4, 1, $5, $6, $7, $8, $9, $10, $11
                FROM customer
                """,
                connection);
            _command.Parameters.Add(_customerId);
            _command.Parameters.Add(_netSpendChange);
            _command.Parameters.Add(_occurredAt);
            _command.Parameters.Add(_sequence);
            _command.Parameters.Add(_eventId);
            _command.Parameters.Add(_occurredTicks);
            _command.Parameters.Add(_recordedTicks);
            _command.Parameters.Add(_fingerprint);
            _command.Parameters.Add(_payload);
            _command.Parameters.Add(_kind);
            _command.Parameters.Add(_amount);
        }

        public static async Task<NaiveWriter> OpenAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
        {
            var connection = await source.OpenConnectionAsync(cancellationToken);
            var writer = new NaiveWriter(connection);
            await writer._command.PrepareAsync(cancellationToken);
            return writer;
        }

        public async Task WriteAsync(WorkloadTouchpoint touchpoint, CancellationToken cancellationToken)
        {
            _customerId.TypedValue = touchpoint.CustomerId;
            _netSpendChange.TypedValue = touchpoint.NetSpendChange;
            _occurredAt.TypedValue = touchpoint.OccurredAt.UtcDateTime;
            _sequence.TypedValue = touchpoint.Sequence;
            _eventId.TypedValue = touchpoint.EventId;
            _occurredTicks.TypedValue = touchpoint.OccurredAt.UtcTicks;
            _recordedTicks.TypedValue = DateTime.UtcNow.Ticks;
            _fingerprint.TypedValue = touchpoint.Fingerprint;
            _payload.TypedValue = touchpoint.Payload;
            _kind.TypedValue = touchpoint.Kind;
            _amount.Value = (object?)touchpoint.ReportingAmount ?? DBNull.Value;
            await _command.ExecuteNonQueryAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            await _command.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}

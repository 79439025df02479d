using System.Diagnostics;
using System.Threading.Channels;
using Customer360.LoadTest.Engine;
using Npgsql;

namespace Customer360.LoadTest.Baselines;

/// <summary>
/// The read side of the naive design, run while its writes run: what an agent's screen would
/// query for one customer, its aggregates row and its 50 most recent touchpoints, in one prepared
/// statement (the aggregates row by customer id, then the log rows under its customer key along
/// the log's primary key), at a fixed open-loop rate over a small pool of connections (as an
/// application's connection pool would). Customers are picked as the engine's readers pick them:
/// a random touchpoint written so far, so busy customers are read most. Latency runs from each
/// read's due time, so time spent waiting for a free connection counts.
/// </summary>
internal sealed class NaiveReads(NpgsqlDataSource source, double ratePerSecond, int seed, int connections = NaiveReads.DefaultConnections) : IAsyncDisposable
{
    public const int DefaultConnections = 8;

    /// <summary>Touchpoints an agent's screen shows, as the engine's view carries them.</summary>
    public const int RecentTouchpoints = 50;

    private readonly List<string> _written = [];
    private readonly Random _random = new(seed);
    private readonly Channel<Reader> _pool = Channel.CreateUnbounded<Reader>();
    private readonly List<Reader> _readers = [];
    private readonly TaskCompletionSource _firstWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _mismatches;
    private long _started;
    private TimeSpan _elapsed;

    public OperationTally Tally { get; } = new();

    public int Connections => connections;

    /// <summary>Reads whose touchpoint rows did not agree with the customer's count in the same snapshot.</summary>
    public long Mismatches => Interlocked.Read(ref _mismatches);

    /// <summary>Opens the connections and prepares the statement, before the writes' clock starts.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < connections; i++)
        {
            var reader = await Reader.OpenAsync(source, cancellationToken);
            _readers.Add(reader);
            _pool.Writer.TryWrite(reader);
        }
    }

    /// <summary>A touchpoint of <paramref name="customerId"/> was committed.</summary>
    public void Written(string customerId)
    {
        lock (_written)
        {
            _written.Add(customerId);
        }

        _firstWrite.TrySetResult();
    }

    /// <summary>Reads from the first commit until <paramref name="stop"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            await _firstWrite.Task.WaitAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        _started = await OpenLoopSchedule.RunAsync(ratePerSecond, ReadAsync, stop);
        _elapsed = Stopwatch.GetElapsedTime(started);
    }

    public ReadResult Result() => new(ratePerSecond, _started, _elapsed, Tally.Latency(), Tally.Errors());

    /// <summary>One customer as the naive design shows it: its aggregates and its most recent touchpoints' event ids, newest first.</summary>
    public async Task<NaiveCustomerView?> ReadCustomerAsync(string customerId, CancellationToken cancellationToken)
    {
        var reader = await _pool.Reader.ReadAsync(cancellationToken);
        try
        {
            return await reader.ReadAsync(customerId, cancellationToken);
        }
        finally
        {
            _pool.Writer.TryWrite(reader);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var reader in _readers)
        {
            await reader.DisposeAsync();
        }
    }

    private async Task ReadAsync(long due)
    {
        string customerId;
        lock (_written)
        {
            customerId = _written[_random.Next(_written.Count)];
        }

        try
        {
            var view = await ReadCustomerAsync(customerId, CancellationToken.None);
            var answeredAt = Stopwatch.GetTimestamp();
            if (view is null || view.RecentEventIds.Count != Math.Min(RecentTouchpoints, view.TouchpointCount))
            {
                Interlocked.Increment(ref _mismatches);
                Tally.Fail("inconsistent");
                return;
            }

            Tally.Succeed(due, answeredAt);
        }
        catch (PostgresException ex)
        {
            Tally.Fail(ex.SqlState);
        }
        catch (Exception ex)
        {
            Tally.Fail(ex.GetType().Name);
        }
    }

    /// <summary>One connection with the read prepared on it.</summary>
    private sealed class Reader : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlCommand _command;
        private readonly NpgsqlParameter<string> _customerId = new();

        private Reader(NpgsqlConnection connection)
        {
            _connection = connection;
            _command = new NpgsqlCommand(
                $"""
                SELECT c.touchpoint_count, c.net_spend, r.event_id, r.payload
                FROM {ScratchTables.NaiveCustomer} c
                LEFT JOIN LATERAL (
                    SELECT l.event_id, l.payload, l.occurred_ticks, l.sequence
                    FROM {ScratchTables.NaiveLog} l
                    WHERE l.customer_key = c.customer_key
                    ORDER BY l.occurred_ticks DESC, l.sequence DESC
                    LIMIT {RecentTouchpoints}) r ON true
                WHERE c.customer_id = $1
                ORDER BY r.occurred_ticks DESC, r.sequence DESC
                """,
                connection);
            _command.Parameters.Add(_customerId);
        }

        public static async Task<Reader> OpenAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
        {
            var connection = await source.OpenConnectionAsync(cancellationToken);
            var reader = new Reader(connection);
            await reader._command.PrepareAsync(cancellationToken);
            return reader;
        }

        public async Task<NaiveCustomerView?> ReadAsync(string customerId, CancellationToken cancellationToken)
        {
            _customerId.TypedValue = customerId;
            await using var rows = await _command.ExecuteReaderAsync(cancellationToken);
            long? count = null;
            var netSpend = 0m;
            var eventIds = new List<string>(RecentTouchpoints);
            while (await rows.ReadAsync(cancellationToken))
            {
                count ??= rows.GetInt64(0);
                netSpend = rows.GetDecimal(1);
                if (!await rows.IsDBNullAsync(2, cancellationToken))
                {
                    eventIds.Add(rows.GetString(2));
                    _ = rows.GetString(3);
                }
            }

            return count is { } touchpoints ? new NaiveCustomerView(touchpoints, netSpend, eventIds) : null;
        }

        public async ValueTask DisposeAsync()
        {
            await _command.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}

/// <summary>A customer as the naive design's read shows it.</summary>
/// <param name="RecentEventIds">The most recent touchpoints' event ids, newest first by event time.</param>
internal sealed record NaiveCustomerView(long TouchpointCount, decimal NetSpend, IReadOnlyList<string> RecentEventIds);

using System.Diagnostics;
using Customer360.LoadTest.Workload;
using Npgsql;
using NpgsqlTypes;

namespace Customer360.LoadTest.Baselines;

/// <summary>
/// Baseline (a), the floor: the touchpoints' log rows streamed into a log-shaped table with binary
/// COPY, one connection, one COPY (and so one commit) per chunk. Nothing faster puts rows into
/// PostgreSQL durably; it does none of the engine's work (no per-touchpoint answer, no duplicate
/// check, no aggregates), so the engine's rate divided by this one says how much of the database's
/// raw write capacity the engine turns into acknowledged touchpoints.
/// </summary>
/// <remarks>
/// The log refers to customers by key, as the engine's does: each workload customer's key is its
/// place in the workload, from 1. The engine also writes a row to <c>customer360_customer</c> with
/// each customer's first entry; the COPY writes none and so does not pay for creating customers
/// (at the default sizes, at most 10,000 customer rows next to 100,000 log rows), which keeps it
/// a floor.
/// </remarks>
internal sealed class CopyBaseline(NpgsqlDataSource source, int chunkRows)
{
    public const int DefaultChunkRows = 10_000;

    private const string CopyCommand =
        $"COPY {ScratchTables.CopyLog} (customer_key, sequence, kind, event_id, occurred_ticks, recorded_ticks, fingerprint, payload, touchpoint_kind, amount) FROM STDIN (FORMAT BINARY)";

    /// <summary>The <c>kind</c> column's value for a touchpoint entry.</summary>
    private const short TouchpointEntry = 1;

    public async Task<BaselineResult> RunAsync(IReadOnlyList<WorkloadTouchpoint> touchpoints, CancellationToken cancellationToken)
    {
        await ScratchTables.RecreateLogAsync(source, ScratchTables.CopyLog, cancellationToken);
        await using var connection = await source.OpenConnectionAsync(cancellationToken);

        var started = Stopwatch.GetTimestamp();
        for (var first = 0; first < touchpoints.Count; first += chunkRows)
        {
            var end = Math.Min(first + chunkRows, touchpoints.Count);
            await using var importer = await connection.BeginBinaryImportAsync(CopyCommand, cancellationToken);
            for (var i = first; i < end; i++)
            {
                var row = touchpoints[i];
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(CustomerKey(row), NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(row.Sequence, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(TouchpointEntry, NpgsqlDbType.Smallint, cancellationToken);
                await importer.WriteAsync(row.EventId, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(row.OccurredAt.UtcTicks, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(DateTime.UtcNow.Ticks, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(row.Fingerprint, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(row.Payload, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(row.Kind, NpgsqlDbType.Smallint, cancellationToken);
                if (row.ReportingAmount is { } amount)
                {
                    await importer.WriteAsync(amount, NpgsqlDbType.Numeric, cancellationToken);
                }
                else
                {
                    await importer.WriteNullAsync(cancellationToken);
                }
            }

            await importer.CompleteAsync(cancellationToken);
        }

        var elapsed = Stopwatch.GetElapsedTime(started);

        var stored = await ScratchTables.CountAsync(source, ScratchTables.CopyLog, cancellationToken);
        if (stored != touchpoints.Count)
        {
            throw new BaselineException($"binary COPY stored {stored:N0} rows of {touchpoints.Count:N0}");
        }

        return new BaselineResult(touchpoints.Count, elapsed, $"binary COPY, {chunkRows:N0}-row chunks, 1 connection");
    }

    /// <summary>The customer key the COPY writes for a touchpoint's customer: its place in the workload, from 1.</summary>
    public static long CustomerKey(WorkloadTouchpoint touchpoint) => touchpoint.CustomerIndex + 1L;
}

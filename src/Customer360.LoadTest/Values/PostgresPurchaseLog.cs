using System.Globalization;
using Customer360.Domain.Values.Models.Synthetic;
using Npgsql;
using NpgsqlTypes;

namespace Customer360.LoadTest.Values;

/// <summary>
/// Synthetic purchase histories written straight into the customer log on PostgreSQL, under a
/// service id of their own, so that a fit can be timed end to end: read from the log as the
/// value model service reads it, then fitted. As the engine does, each customer gets its row in
/// <c>customer360_customer</c>, and with it its customer key, before its log rows, which refer to
/// it by that key. Everything is written in one transaction and deleted afterwards.
/// </summary>
internal sealed class PostgresPurchaseLog(string connectionString, string serviceId) : IAsyncDisposable
{
    /// <summary>Customers whose rows are numbered, then copied into the log, at a time.</summary>
    public const int ChunkCustomers = 10_000;

    private const string Copy =
        "COPY customer360_log (customer_key, sequence, kind, event_id, occurred_ticks, recorded_ticks, fingerprint, payload, touchpoint_kind, amount) FROM STDIN (FORMAT BINARY)";

    // The log's kind of entry for a touchpoint, and the touchpoint kind of a purchase.
    private const short TouchpointEntry = 1;
    private const short PurchaseKind = 1;

    public string ServiceId => serviceId;

    /// <summary>Writes every purchase of <paramref name="customers"/>, observed up to <paramref name="end"/>; returns the log rows written.</summary>
    public async Task<long> WriteAsync(IEnumerable<SyntheticCustomer> customers, DateTimeOffset end, double observationWeeks, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long rows = 0;
        var i = 0;
        foreach (var chunk in customers.Chunk(ChunkCustomers))
        {
            var ids = new string[chunk.Length];
            for (var c = 0; c < chunk.Length; c++)
            {
                ids[c] = "c" + i++.ToString(CultureInfo.InvariantCulture);
            }

            var keys = await AddCustomersAsync(connection, ids, cancellationToken);
            rows += await CopyPurchasesAsync(connection, chunk, ids, keys, end, observationWeeks, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    /// <summary>Inserts the customers' rows; returns each customer's key by id.</summary>
    private async Task<Dictionary<string, long>> AddCustomersAsync(NpgsqlConnection connection, string[] ids, CancellationToken cancellationToken)
    {
        await using var insert = new NpgsqlCommand(
            "INSERT INTO customer360_customer (service_id, customer_id) SELECT $1, unnest($2::text[]) RETURNING customer_id, customer_key",
            connection);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = ids });
        var keys = new Dictionary<string, long>(ids.Length, StringComparer.Ordinal);
        await using var row = await insert.ExecuteReaderAsync(cancellationToken);
        while (await row.ReadAsync(cancellationToken))
        {
            keys.Add(row.GetString(0), row.GetInt64(1));
        }

        return keys;
    }

    private static async Task<long> CopyPurchasesAsync(
        NpgsqlConnection connection,
        SyntheticCustomer[] customers,
        string[] ids,
        Dictionary<string, long> keys,
        DateTimeOffset end,
        double observationWeeks,
        CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(Copy, cancellationToken);
        long rows = 0;
        for (var c = 0; c < customers.Length; c++)
        {
            var (id, key) = (ids[c], keys[ids[c]]);
            for (var k = 0; k < customers[c].Purchases.Count; k++)
            {
                var purchase = customers[c].Purchases[k];
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(key, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync((long)k + 1, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(TouchpointEntry, NpgsqlDbType.Smallint, cancellationToken);
                await importer.WriteAsync($"{id}-{k}", NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(end.AddDays(-(observationWeeks - purchase.Week) * 7).UtcTicks, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync(end.UtcTicks, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync((long)k, NpgsqlDbType.Bigint, cancellationToken);
                await importer.WriteAsync("{}", NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(PurchaseKind, NpgsqlDbType.Smallint, cancellationToken);
                await importer.WriteAsync(decimal.Round((decimal)purchase.Amount, 2), NpgsqlDbType.Numeric, cancellationToken);
                rows++;
            }
        }

        await importer.CompleteAsync(cancellationToken);
        return rows;
    }

    /// <summary>Deletes the service's log rows, found through its customers' keys, then its customers.</summary>
    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();

        // Without an explicit transaction the batch runs as one implicit transaction.
        await using var delete = new NpgsqlBatch(connection)
        {
            Timeout = 0,
            BatchCommands =
            {
                new NpgsqlBatchCommand(
                    "DELETE FROM customer360_log WHERE customer_key IN (SELECT customer_key FROM customer360_customer WHERE service_id = $1)")
                {
                    Parameters = { new NpgsqlParameter<string> { TypedValue = serviceId } },
                },
                new NpgsqlBatchCommand("DELETE FROM customer360_customer WHERE service_id = $1")
                {
                    Parameters = { new NpgsqlParameter<string> { TypedValue = serviceId } },
                },
            },
        };
        await delete.ExecuteNonQueryAsync();
    }
}

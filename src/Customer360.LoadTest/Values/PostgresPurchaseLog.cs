using System.Globalization;
using Customer360.Domain.Values.Models.Synthetic;
using Npgsql;
using NpgsqlTypes;

namespace Customer360.LoadTest.Values;

/// <summary>
/// Synthetic purchase histories written straight into the customer log on PostgreSQL, under a
/// service id of their own, so that a fit can be timed end to end: read from the log as the
/// value model service reads it, then fitted. The rows are deleted afterwards.
/// </summary>
internal sealed class PostgresPurchaseLog(string connectionString, string serviceId) : IAsyncDisposable
{
    private const string Copy =
        "COPY customer360_log (service_id, customer_id, sequence, kind, event_id, occurred_ticks, recorded_ticks, fingerprint, payload, touchpoint_kind, amount) FROM STDIN (FORMAT BINARY)";

    // The log's kind of entry for a touchpoint, and the touchpoint kind of a purchase.
    private const short TouchpointEntry = 1;
    private const short PurchaseKind = 1;

    public string ServiceId => serviceId;

    /// <summary>Writes every purchase of <paramref name="customers"/>, observed up to <paramref name="end"/>; returns the rows written.</summary>
    public async Task<long> WriteAsync(IEnumerable<SyntheticCustomer> customers, DateTimeOffset end, double observationWeeks, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var importer = await connection.BeginBinaryImportAsync(Copy, cancellationToken);
        long rows = 0;
        var i = 0;
        foreach (var customer in customers)
        {
            var id = "c" + i++.ToString(CultureInfo.InvariantCulture);
            for (var k = 0; k < customer.Purchases.Count; k++)
            {
                var purchase = customer.Purchases[k];
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(serviceId, NpgsqlDbType.Text, cancellationToken);
                await importer.WriteAsync(id, NpgsqlDbType.Text, cancellationToken);
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

    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var delete = new NpgsqlCommand("DELETE FROM customer360_log WHERE service_id = $1", connection) { CommandTimeout = 0 };
        delete.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        await delete.ExecuteNonQueryAsync();
    }
}

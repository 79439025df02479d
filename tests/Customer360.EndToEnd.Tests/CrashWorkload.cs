using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Customer360.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// The till workload of the crash tests and the checks after it: deterministic touchpoints,
/// streams that remember every ack, the log read straight from the database, and customers
/// and segments compared with recomputations from what the log holds.
/// </summary>
public static class CrashWorkload
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddDays(-20);

    public static Task StreamAsync(ServerProcess server, Api.V1.Touchpoint[] touchpoints, ConcurrentDictionary<string, TouchpointAck> acks, Action<TouchpointAck> afterAck) =>
        StreamAsync(server, touchpoints.ToAsyncEnumerable(), acks, afterAck);

    /// <summary>
    /// Sends <paramref name="touchpoints"/> on one till stream, recording every ack as it comes.
    /// Returns what broke the stream (the server was killed or is stopping), or null when it
    /// ended normally after the last ack. The acks received before a break stand either way.
    /// </summary>
    public static async Task<Exception?> StreamAsync(ServerProcess server, IAsyncEnumerable<Api.V1.Touchpoint> touchpoints, ConcurrentDictionary<string, TouchpointAck> acks, Action<TouchpointAck> afterAck)
    {
        Task? reading = null;
        try
        {
            using var call = server.Customers.StreamTouchpoints();

            // A stream the server ended stops the sending too, even while it waits for the next touchpoint.
            using var ended = new CancellationTokenSource();
            reading = Task.Run(async () =>
            {
                try
                {
                    await foreach (var ack in call.ResponseStream.ReadAllAsync())
                    {
                        acks[ack.EventId] = ack;
                        afterAck(ack);
                    }
                }
                catch (Exception)
                {
                    await ended.CancelAsync();
                    throw;
                }
            });
            await foreach (var touchpoint in touchpoints.WithCancellation(ended.Token))
            {
                await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = touchpoint }, ended.Token);
            }

            await call.RequestStream.CompleteAsync();
            await reading;
            return null;
        }
        catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            // The stream broke: the acks received so far stand. The reading side knows why best.
            return reading is { IsFaulted: true } ? reading.Exception.InnerException : ex;
        }
    }

    public static async Task SegmentTotalsReachAsync(ServerProcess server, int customers, decimal netSpend)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var segments = (await server.Segments.ListSegmentsAsync(new ListSegmentsRequest())).Segments;
            var byDimension = segments
                .GroupBy(s => s.SegmentId.Split(':')[0])
                .ToDictionary(g => g.Key, g => (Count: g.Sum(s => s.MemberCount), Net: g.Sum(s => Converged.Parse(s.TotalNetSpend))));
            if (byDimension.GetValueOrDefault("tier") == (customers, netSpend) && byDimension.GetValueOrDefault("channel") == (customers, netSpend))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Segment totals {string.Join(", ", byDimension)} never reached ({customers}, {netSpend}) from the log.");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>
    /// The checks that end a cluster test, once the tills have resent until everything was
    /// acknowledged: every touchpoint sent is in the log exactly once and nothing else is; every
    /// endpoint shows the same customers, each equal to a recomputation from the log; segment
    /// totals reach the log's, and every segment agrees with its members.
    /// </summary>
    public static async Task ClusterAgreesWithTheLogAsync(
        IDictionary<string, string?> settings,
        string serviceId,
        IReadOnlyCollection<Api.V1.Touchpoint> sent,
        IReadOnlyList<ServerProcess> endpoints,
        string prefix,
        int customerCount)
    {
        var logged = await LoggedEventIdsAsync(TestStores.Postgres, settings, "", serviceId);
        Assert.Equal(sent.Count, logged.Count);
        Assert.True(logged.ToHashSet(StringComparer.Ordinal).SetEquals(sent.Select(t => t.EventId)));
        var first = await ViewsAsync(endpoints[0], prefix, customerCount);
        foreach (var other in endpoints.Skip(1))
        {
            var views = await ViewsAsync(other, prefix, customerCount);
            Assert.Equal(first.Keys.Order(StringComparer.Ordinal), views.Keys.Order(StringComparer.Ordinal));
            Assert.All(first, kv => Assert.Equal(kv.Value, views[kv.Key]));
        }

        AssertCustomersMatch(sent, first);
        await SegmentTotalsReachAsync(endpoints[^1], first.Count, sent.Sum(NetAmount));
        await Converged.SegmentsAsync(endpoints[0].Segments, first.Values);
    }

    public static decimal NetAmount(Api.V1.Touchpoint t) => t.Kind switch
    {
        TouchpointKind.Purchase => decimal.Parse(t.Amount.Amount, CultureInfo.InvariantCulture),
        TouchpointKind.Return => -decimal.Parse(t.Amount.Amount, CultureInfo.InvariantCulture),
        _ => 0m,
    };

    public static int CustomerIndex(Api.V1.Touchpoint t) => int.Parse(t.CustomerId[(t.CustomerId.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture);

    public static Api.V1.Touchpoint Touchpoint(string prefix, int i, int customerCount)
    {
        // Purchases, some returns and contacts, in EUR (the reporting currency) so that
        // figures can be recomputed exactly.
        var kind = (i % 10) switch
        {
            < 6 => TouchpointKind.Purchase,
            6 => TouchpointKind.Return,
            _ => TouchpointKind.Visit,
        };
        var touchpoint = new Api.V1.Touchpoint
        {
            EventId = $"{prefix}-e{i}",
            CustomerId = $"{prefix}-{i % customerCount}",
            OccurredAt = Timestamp.FromDateTimeOffset(Start.AddSeconds(i * 17)),
            Channel = (i % 7) switch { < 3 => Channel.PointOfSale, < 5 => Channel.Web, 5 => Channel.MobileApp, _ => Channel.CallCentre },
            Kind = kind,
            SourceSystem = "till-crash",
        };
        if (kind is TouchpointKind.Purchase or TouchpointKind.Return)
        {
            touchpoint.Amount = new Money { Amount = Amount(i).ToString(CultureInfo.InvariantCulture), CurrencyCode = "EUR" };
        }

        return touchpoint;
    }

    private static decimal Amount(int i) => 1m + (i * 37 % 5000) / 100m;

    public static void AssertCustomersMatch(IEnumerable<Api.V1.Touchpoint> touchpoints, IReadOnlyDictionary<string, CustomerView> views)
    {
        var expected = touchpoints
            .GroupBy(t => t.CustomerId)
            .ToDictionary(g => g.Key, g => (
                Count: g.Count(),
                Net: g.Sum(NetAmount)));
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), views.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, want) in expected)
        {
            var view = views[id];
            Assert.True(
                want.Count == view.Aggregates.TouchpointCount && want.Count == view.Version && want.Net == Converged.Parse(view.Aggregates.NetSpend),
                $"{id}: expected {want.Count} touchpoints netting {want.Net}, the view has {view.Aggregates.TouchpointCount} "
                + $"(version {view.Version}) netting {view.Aggregates.NetSpend.Amount}");
        }
    }

    public static async Task<Dictionary<string, CustomerView>> ViewsAsync(ServerProcess server, string prefix, int customerCount)
    {
        var views = new ConcurrentDictionary<string, CustomerView>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(Enumerable.Range(0, customerCount), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var view = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = $"{prefix}-{i}" });
                    views[view.CustomerId] = view;
                    return;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
                {
                    // Never written before the kill.
                    return;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && attempt < 10)
                {
                    // A client retries UNAVAILABLE: a pooled connection the database ended may
                    // fail once more, and the customer is read again on the next call.
                    await Task.Delay(100 * attempt);
                }
            }
        });
        return new Dictionary<string, CustomerView>(views, StringComparer.Ordinal);
    }

    /// <summary>The event ids in the log, read straight from the database.</summary>
    public static async Task<List<string>> LoggedEventIdsAsync(string store, IDictionary<string, string?> settings, string dataPath, string serviceId)
    {
        await using DbConnection connection = store == TestStores.Postgres
            ? new NpgsqlConnection(settings["Customer360:Storage:ConnectionString"])
            : new SqliteConnection($"Data Source={Path.Combine(dataPath, "customer360.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        // Both stores key the log by customer key, from customer360_customer.
        command.CommandText = "SELECT l.event_id FROM customer360_log AS l JOIN customer360_customer AS c ON c.customer_key = l.customer_key WHERE c.service_id = @s AND l.kind = 1";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "s";
        parameter.Value = serviceId;
        command.Parameters.Add(parameter);
        var ids = new List<string>();
        await using var rows = await command.ExecuteReaderAsync();
        while (await rows.ReadAsync())
        {
            ids.Add(rows.GetString(0));
        }

        return ids;
    }
}

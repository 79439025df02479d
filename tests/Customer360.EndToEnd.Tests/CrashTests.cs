using System.Collections.Concurrent;
using System.Globalization;
using Customer360.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Nothing acknowledged is lost and nothing is counted twice when the server is killed. The
/// server runs as a child process; a till client streams 50,000 touchpoints over 2,000
/// customers on four streams and the server gets SIGKILL part-way. After a restart the client
/// resends everything it holds no ack for, plus a sample of what was acknowledged. The log,
/// every customer and every segment are then checked against what was sent.
/// </summary>
public sealed class CrashTests
{
    private const int TouchpointCount = 50_000;
    private const int CustomerCount = 2_000;
    private const int Streams = 4;
    private const int KillAfterAcks = 20_000;
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddDays(-20);

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task KilledMidStreamThenResentLosesNothingAndCountsNothingTwice(string store)
    {
        var serviceId = "crash-" + Guid.NewGuid().ToString("N");
        var settings = await TestStores.SettingsAsync(store, serviceId);
        var dataPath = TestServer.NewDataPath();
        settings["Customer360:Storage:DataPath"] = dataPath;

        // The restarted server is the same deployment: same cluster, same ports. On PostgreSQL
        // it finds its killed predecessor still listed as active in the membership table, and
        // the same address with a newer generation lets it declare that one dead at once.
        settings["Customer360:Silo:ClusterId"] = serviceId;
        settings["Customer360:Silo:SiloPort"] = TestServer.FreePort().ToString(CultureInfo.InvariantCulture);
        settings["Customer360:Silo:GatewayPort"] = TestServer.FreePort().ToString(CultureInfo.InvariantCulture);
        settings["Customer360:Grpc:Port"] = TestServer.FreePort().ToString(CultureInfo.InvariantCulture);
        var prefix = $"crash-{Guid.NewGuid():N}"[..14];
        var sent = Enumerable.Range(0, TouchpointCount).Select(i => Touchpoint(prefix, i)).ToArray();
        var acked = new ConcurrentDictionary<string, TouchpointAck>(StringComparer.Ordinal);

        var firstOutput = "";

        // 1. Stream until the server is killed part-way.
        await using (var server = await ServerProcess.StartAsync(settings))
        {
            using var killed = new CancellationTokenSource();
            var streams = Enumerable.Range(0, Streams)
                .Select(s => StreamAsync(server, sent.Where((_, i) => i % CustomerCount % Streams == s).ToArray(), acked, () =>
                {
                    if (acked.Count >= KillAfterAcks && !killed.IsCancellationRequested)
                    {
                        killed.Cancel();
                        server.Kill();
                    }
                }))
                .ToArray();
            await Task.WhenAll(streams);
            Assert.True(killed.IsCancellationRequested, "The server was never killed: the streams ended first.");
            firstOutput = server.RecentOutput;
        }

        Assert.InRange(acked.Count, KillAfterAcks, TouchpointCount - 1);
        Assert.All(acked.Values, ack => Assert.True(ack.Status == AckStatus.Accepted, $"{ack}\nThe server said:\n{firstOutput}"));
        var ackedIds = acked.Keys.ToHashSet(StringComparer.Ordinal);

        // 2. Restart. Before any customer is read (reading one would re-state its segments),
        // segment totals equal what the log holds: the restart recovered whatever segment
        // updates the kill lost. Every customer is in one tier and one channel segment.
        await using var restarted = await ServerProcess.StartAsync(settings);
        var loggedRows = await LoggedEventIdsAsync(store, settings, dataPath, serviceId);
        var logged = loggedRows.ToHashSet(StringComparer.Ordinal);
        Assert.Equal(loggedRows.Count, logged.Count);
        Assert.Empty(ackedIds.Except(logged));
        var sentIds = sent.Select(t => t.EventId).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(logged.Except(sentIds));
        var inLog = sent.Where(t => logged.Contains(t.EventId)).ToArray();
        await SegmentTotalsReachAsync(restarted, inLog.Select(t => t.CustomerId).Distinct().Count(), inLog.Sum(NetAmount));

        // Each customer shows exactly what its log holds, and segments agree with customers.
        var views = await ViewsAsync(restarted, prefix);
        AssertCustomersMatch(inLog, views);
        await Converged.SegmentsAsync(restarted.Segments, views.Values);

        // 3. Resend everything without an ack, plus every tenth acknowledged touchpoint.
        var resend = sent.Where((t, i) => !ackedIds.Contains(t.EventId) || i % 10 == 0).ToArray();
        var secondAcks = new ConcurrentDictionary<string, TouchpointAck>(StringComparer.Ordinal);
        await Task.WhenAll(Enumerable.Range(0, Streams)
            .Select(s => StreamAsync(restarted, resend.Where(t => CustomerIndex(t) % Streams == s).ToArray(), secondAcks, () => { })));
        Assert.Equal(resend.Length, secondAcks.Count);
        Assert.All(resend.Where(t => ackedIds.Contains(t.EventId)), t => Assert.Equal(AckStatus.Duplicate, secondAcks[t.EventId].Status));
        Assert.All(secondAcks.Values, ack => Assert.True(ack.Status != AckStatus.Rejected, $"{ack}"));

        // Touchpoints committed but not acknowledged before the kill come back as duplicates;
        // all others are accepted now. Either way each is in the log exactly once.
        var finalLog = await LoggedEventIdsAsync(store, settings, dataPath, serviceId);
        Assert.Equal(TouchpointCount, finalLog.Count);
        Assert.True(finalLog.ToHashSet(StringComparer.Ordinal).SetEquals(sentIds));
        views = await ViewsAsync(restarted, prefix);
        AssertCustomersMatch(sent, views);
        await Converged.SegmentsAsync(restarted.Segments, views.Values);
    }

    private static async Task StreamAsync(ServerProcess server, Api.V1.Touchpoint[] touchpoints, ConcurrentDictionary<string, TouchpointAck> acks, Action afterAck)
    {
        try
        {
            using var call = server.Customers.StreamTouchpoints();
            var reading = Task.Run(async () =>
            {
                await foreach (var ack in call.ResponseStream.ReadAllAsync())
                {
                    acks[ack.EventId] = ack;
                    afterAck();
                }
            });
            foreach (var touchpoint in touchpoints)
            {
                await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = touchpoint });
            }

            await call.RequestStream.CompleteAsync();
            await reading;
        }
        catch (Exception ex) when (ex is RpcException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The server was killed: the stream breaks, and the acks received so far stand.
        }
    }

    private static async Task SegmentTotalsReachAsync(ServerProcess server, int customers, decimal netSpend)
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

    private static decimal NetAmount(Api.V1.Touchpoint t) => t.Kind switch
    {
        TouchpointKind.Purchase => decimal.Parse(t.Amount.Amount, CultureInfo.InvariantCulture),
        TouchpointKind.Return => -decimal.Parse(t.Amount.Amount, CultureInfo.InvariantCulture),
        _ => 0m,
    };

    private static int CustomerIndex(Api.V1.Touchpoint t) => int.Parse(t.CustomerId[(t.CustomerId.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture);

    private static Api.V1.Touchpoint Touchpoint(string prefix, int i)
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
            CustomerId = $"{prefix}-{i % CustomerCount}",
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

    private static void AssertCustomersMatch(IEnumerable<Api.V1.Touchpoint> touchpoints, IReadOnlyDictionary<string, CustomerView> views)
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

    private static async Task<Dictionary<string, CustomerView>> ViewsAsync(ServerProcess server, string prefix)
    {
        var views = new ConcurrentDictionary<string, CustomerView>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(Enumerable.Range(0, CustomerCount), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            try
            {
                var view = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = $"{prefix}-{i}" });
                views[view.CustomerId] = view;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                // Never written before the kill.
            }
        });
        return new Dictionary<string, CustomerView>(views, StringComparer.Ordinal);
    }

    /// <summary>The event ids in the log, read straight from the database.</summary>
    private static async Task<List<string>> LoggedEventIdsAsync(string store, IDictionary<string, string?> settings, string dataPath, string serviceId)
    {
        const string sql = "SELECT event_id FROM customer360_log WHERE service_id = @s AND kind = 1";
        var ids = new List<string>();
        if (store == TestStores.Postgres)
        {
            await using var connection = new NpgsqlConnection(settings["Customer360:Storage:ConnectionString"]);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("s", serviceId);
            await using var rows = await command.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                ids.Add(rows.GetString(0));
            }
        }
        else
        {
            await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataPath, "customer360.db")};Mode=ReadOnly");
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("@s", serviceId);
            await using var rows = await command.ExecuteReaderAsync();
            while (await rows.ReadAsync())
            {
                ids.Add(rows.GetString(0));
            }
        }

        return ids;
    }
}

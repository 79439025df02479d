using System.Collections.Concurrent;
using System.Globalization;
using Customer360.Api.V1;
using Customer360.Server.Security;
using Customer360.Testing;
using static Customer360.EndToEnd.Tests.CrashWorkload;

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

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task KilledMidStreamThenResentLosesNothingAndCountsNothingTwice(string store)
    {
        var serviceId = "crash-" + Guid.NewGuid().ToString("N");
        var settings = await TestStores.SettingsAsync(store, serviceId);
        var dataPath = TestServer.NewDataPath();
        settings["Customer360:Storage:DataPath"] = dataPath;

        SameDeploymentAfterRestart(settings, serviceId);
        var prefix = $"crash-{Guid.NewGuid():N}"[..14];
        var sent = Enumerable.Range(0, TouchpointCount).Select(i => Touchpoint(prefix, i, CustomerCount)).ToArray();
        var acked = new ConcurrentDictionary<string, TouchpointAck>(StringComparer.Ordinal);

        var firstOutput = "";
        IReadOnlyDictionary<string, string?> used = new Dictionary<string, string?>();

        // 1. Stream until the server is killed part-way.
        await using (var server = await ServerProcess.StartAsync(settings))
        {
            using var killed = new CancellationTokenSource();
            var streams = Enumerable.Range(0, Streams)
                .Select(s => StreamAsync(server, sent.Where((_, i) => i % CustomerCount % Streams == s).ToArray(), acked, _ =>
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
            used = server.Settings;
        }

        Assert.InRange(acked.Count, KillAfterAcks, TouchpointCount - 1);
        Assert.All(acked.Values, ack => Assert.True(ack.Status == AckStatus.Accepted, $"{ack}\nThe server said:\n{firstOutput}"));
        var ackedIds = acked.Keys.ToHashSet(StringComparer.Ordinal);

        // 2. Restart. Before any customer is read (reading one would re-state its segments),
        // segment totals equal what the log holds: the restart recovered whatever segment
        // updates the kill lost. Every customer is in one tier and one channel segment.
        await using var restarted = await ServerProcess.StartAsync(used.ToDictionary());
        var loggedRows = await LoggedEventIdsAsync(store, settings, dataPath, serviceId);
        var logged = loggedRows.ToHashSet(StringComparer.Ordinal);
        Assert.Equal(loggedRows.Count, logged.Count);
        Assert.Empty(ackedIds.Except(logged));
        var sentIds = sent.Select(t => t.EventId).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(logged.Except(sentIds));
        var inLog = sent.Where(t => logged.Contains(t.EventId)).ToArray();
        await SegmentTotalsReachAsync(restarted, inLog.Select(t => t.CustomerId).Distinct().Count(), inLog.Sum(NetAmount));

        // Each customer shows exactly what its log holds, and segments agree with customers.
        var views = await ViewsAsync(restarted, prefix, CustomerCount);
        AssertCustomersMatch(inLog, views);
        await Converged.SegmentsAsync(restarted.Segments, views.Values);

        // 3. Resend everything without an ack, plus every tenth acknowledged touchpoint.
        var resend = sent.Where((t, i) => !ackedIds.Contains(t.EventId) || i % 10 == 0).ToArray();
        var secondAcks = new ConcurrentDictionary<string, TouchpointAck>(StringComparer.Ordinal);
        await Task.WhenAll(Enumerable.Range(0, Streams)
            .Select(s => StreamAsync(restarted, resend.Where(t => CustomerIndex(t) % Streams == s).ToArray(), secondAcks, _ => { })));
        Assert.Equal(resend.Length, secondAcks.Count);
        Assert.All(resend.Where(t => ackedIds.Contains(t.EventId)), t => Assert.Equal(AckStatus.Duplicate, secondAcks[t.EventId].Status));
        Assert.All(secondAcks.Values, ack => Assert.True(ack.Status != AckStatus.Rejected, $"{ack}"));

        // Touchpoints committed but not acknowledged before the kill come back as duplicates;
        // all others are accepted now. Either way each is in the log exactly once.
        var finalLog = await LoggedEventIdsAsync(store, settings, dataPath, serviceId);
        Assert.Equal(TouchpointCount, finalLog.Count);
        Assert.True(finalLog.ToHashSet(StringComparer.Ordinal).SetEquals(sentIds));
        views = await ViewsAsync(restarted, prefix, CustomerCount);
        AssertCustomersMatch(sent, views);
        await Converged.SegmentsAsync(restarted.Segments, views.Values);
    }

    /// <summary>
    /// The name of the key that recorded each touchpoint comes back from the log itself: the
    /// kill leaves no snapshot behind, so the restarted customer rebuilds its recent window by
    /// replaying the log (a graceful stop would have written one, and the window would come from it).
    /// </summary>
    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task TheKeysThatRecordedTouchpointsSurviveAKill(string store)
    {
        const string TillKey = "kill-till-key-58d2";
        const string WebShopKey = "kill-web-key-7a03";
        const string AgentKey = "kill-agent-key-e41a";
        var serviceId = "kill-keys-" + Guid.NewGuid().ToString("N");
        var settings = await TestStores.SettingsAsync(store, serviceId);
        settings["Customer360:Storage:DataPath"] = TestServer.NewDataPath();
        SameDeploymentAfterRestart(settings, serviceId);
        settings["Customer360:Auth:Keys:store_tills:Sha256"] = ApiKeys.DigestOf(TillKey);
        settings["Customer360:Auth:Keys:store_tills:Roles"] = "till";
        settings["Customer360:Auth:Keys:web_shop:Sha256"] = ApiKeys.DigestOf(WebShopKey);
        settings["Customer360:Auth:Keys:web_shop:Roles"] = "till";
        settings["Customer360:Auth:Keys:call_centre:Sha256"] = ApiKeys.DigestOf(AgentKey);
        settings["Customer360:Auth:Keys:call_centre:Roles"] = "agent";
        var id = $"kill-keys-{Guid.NewGuid():N}";
        var sale = Touchpoints.Purchase(id, 25m, DateTimeOffset.UtcNow.AddHours(-2));
        var visit = Touchpoints.Contact(id, TouchpointKind.Visit, Channel.Web, DateTimeOffset.UtcNow.AddHours(-1));

        IReadOnlyDictionary<string, string?> used;
        await using (var server = await ServerProcess.StartAsync(settings))
        {
            await CustomersWith(server, TillKey).RecordTouchpointAsync(Touchpoints.Record(sale));
            await CustomersWith(server, WebShopKey).RecordTouchpointAsync(Touchpoints.Record(visit));
            used = server.Settings;
            server.Kill();
        }

        await using var restarted = await ServerProcess.StartAsync(used.ToDictionary());
        var agent = CustomersWith(restarted, AgentKey);
        var view = await agent.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        var listed = await agent.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = id });

        Assert.Equal([(visit.EventId, "web_shop"), (sale.EventId, "store_tills")], view.RecentTouchpoints.Select(t => (t.EventId, t.RecordedBy)));
        Assert.Equal([(visit.EventId, "web_shop"), (sale.EventId, "store_tills")], listed.Touchpoints.Select(t => (t.EventId, t.RecordedBy)));
    }

    /// <summary>
    /// The restarted server is the same deployment: same cluster, same ports. On PostgreSQL it
    /// finds its killed predecessor still listed as active in the membership table, and the same
    /// address with a newer generation lets it declare that one dead at once.
    /// </summary>
    private static void SameDeploymentAfterRestart(IDictionary<string, string?> settings, string clusterId)
    {
        settings["Customer360:Silo:ClusterId"] = clusterId;
        settings["Customer360:Silo:SiloPort"] = LoopbackHost.FreePort().ToString(CultureInfo.InvariantCulture);
        settings["Customer360:Silo:GatewayPort"] = LoopbackHost.FreePort().ToString(CultureInfo.InvariantCulture);
        settings["Customer360:Grpc:Port"] = LoopbackHost.FreePort().ToString(CultureInfo.InvariantCulture);
    }

    private static CustomerService.CustomerServiceClient CustomersWith(ServerProcess server, string key) =>
        new(KeyedServerFixture.Sending(server.Channel, $"Bearer {key}"));
}

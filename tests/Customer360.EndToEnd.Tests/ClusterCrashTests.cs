using System.Collections.Concurrent;
using System.Globalization;
using Customer360.Api.V1;
using Grpc.Core;
using Npgsql;
using static Customer360.EndToEnd.Tests.CrashWorkload;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Three server processes form one cluster through PostgreSQL, each with its own silo, gateway
/// and gRPC ports. Tills stream through all three; one silo gets SIGKILL under load. Its
/// customers come back on the survivors, queries keep being answered, and after the tills
/// resend what was not acknowledged, nothing is lost or doubled.
/// </summary>
/// <remarks>
/// Failure detection is tuned so that the killed silo is declared dead within seconds (the
/// defaults take about half a minute): probes time out after 1 s, two missed probes make a
/// suspicion, one vote declares death, and every silo re-reads the membership table every 2 s.
/// README.md documents the same settings for operators.
/// </remarks>
public sealed class ClusterCrashTests
{
    private const int TouchpointCount = 30_000;
    private const int CustomerCount = 1_500;
    private const int Streams = 6;
    private const int KillAfterAcks = 10_000;

    public static Dictionary<string, string?> FastFailureDetection() => new()
    {
        ["Customer360:Silo:Membership:ProbeTimeout"] = "00:00:01",
        ["Customer360:Silo:Membership:NumMissedProbesLimit"] = "2",
        ["Customer360:Silo:Membership:NumVotesForDeathDeclaration"] = "1",
        ["Customer360:Silo:Membership:TableRefreshTimeout"] = "00:00:02",
    };

    /// <summary>Settings for servers that form one cluster on PostgreSQL, with fast failure detection.</summary>
    internal static async Task<Dictionary<string, string?>> ClusterSettingsAsync(string serviceId)
    {
        var settings = await TestStores.SettingsAsync(TestStores.Postgres, serviceId);
        settings["Customer360:Silo:ClusterId"] = serviceId;
        foreach (var (key, value) in FastFailureDetection())
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task KillingOneOfThreeSilosUnderLoadLosesNothingAndQueriesKeepAnswering()
    {
        var serviceId = "cluster-crash-" + Guid.NewGuid().ToString("N");
        var shared = await ClusterSettingsAsync(serviceId);
        var servers = new List<ServerProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                servers.Add(await ServerProcess.StartAsync(new Dictionary<string, string?>(shared)));
            }

            await ActiveSilosReachAsync(shared, serviceId, 3);
            var prefix = $"cc-{Guid.NewGuid():N}"[..11];
            var sent = Enumerable.Range(0, TouchpointCount).Select(i => Touchpoint(prefix, i, CustomerCount)).ToArray();
            var acks = new ConcurrentDictionary<string, TouchpointAck>(StringComparer.Ordinal);
            var victim = servers[2];
            var killed = 0;

            // 1. Tills stream through every endpoint; the third silo is killed part-way.
            await Task.WhenAll(Enumerable.Range(0, Streams).Select(s => StreamAsync(
                servers[s % 3],
                sent.Where(t => CustomerIndex(t) % Streams == s).ToArray(),
                acks,
                _ =>
                {
                    if (acks.Count >= KillAfterAcks && Interlocked.Exchange(ref killed, 1) == 0)
                    {
                        victim.Kill();
                    }
                })));
            Assert.Equal(1, killed);
            var survivors = servers.Take(2).ToArray();
            var acked = acks.Where(a => a.Value.Status is AckStatus.Accepted or AckStatus.Duplicate).Select(a => a.Key).ToHashSet(StringComparer.Ordinal);

            // 2. Queries keep answering: every customer written so far can be read through each
            // survivor (those of the dead silo once it is declared dead and they reactivate).
            var written = sent.Where(t => acked.Contains(t.EventId)).Select(t => t.CustomerId).Distinct().ToArray();
            foreach (var survivor in survivors)
            {
                await EveryCustomerAnswersAsync(survivor, written);
            }

            // 3. Resend through the survivors whatever has no ack, until each is acknowledged,
            // plus every tenth acknowledged touchpoint, which must come back as a duplicate.
            var pending = sent.Where((t, i) => !acked.Contains(t.EventId) || i % 10 == 0).ToArray();
            var resent = new ConcurrentDictionary<string, TouchpointAck>(StringComparer.Ordinal);
            for (var round = 0; round < 10 && pending.Length > 0; round++)
            {
                await Task.WhenAll(Enumerable.Range(0, Streams).Select(s => StreamAsync(
                    survivors[s % 2], pending.Where(t => CustomerIndex(t) % Streams == s).ToArray(), resent, _ => { })));
                pending = pending.Where(t => !resent.TryGetValue(t.EventId, out var ack) || ack.Status == AckStatus.Rejected).ToArray();
                if (pending.Length > 0)
                {
                    await Task.Delay(1000);
                }
            }

            Assert.Empty(pending);
            Assert.All(sent.Where((t, i) => acked.Contains(t.EventId) && i % 10 == 0), t => Assert.Equal(AckStatus.Duplicate, resent[t.EventId].Status));

            // 4. Every touchpoint is in the log exactly once, both survivors show the same
            // customers, equal to a recomputation from the log, and segments agree.
            await ClusterAgreesWithTheLogAsync(shared, serviceId, sent, survivors, prefix, CustomerCount);
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static async Task EveryCustomerAnswersAsync(ServerProcess server, IReadOnlyList<string> customerIds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var unanswered = customerIds.ToList();
        while (unanswered.Count > 0)
        {
            var failed = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(unanswered, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, _) =>
            {
                try
                {
                    await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }, deadline: DateTime.UtcNow.AddSeconds(10));
                }
                catch (RpcException)
                {
                    failed.Add(id);
                }
            });
            unanswered = [.. failed];
            Assert.True(unanswered.Count == 0 || DateTime.UtcNow < deadline, $"{unanswered.Count} customers never answered through {server.Address}");
            if (unanswered.Count > 0)
            {
                await Task.Delay(500);
            }
        }
    }

    internal static async Task ActiveSilosReachAsync(IDictionary<string, string?> settings, string clusterId, int count)
    {
        await using var connection = new NpgsqlConnection(settings["Customer360:Storage:ConnectionString"]);
        await connection.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            // Status 3 is Orleans' SiloStatus.Active.
            await using var command = new NpgsqlCommand("SELECT count(*) FROM Customer360Membership WHERE DeploymentId = @c AND Status = 3", connection);
            command.Parameters.AddWithValue("c", clusterId);
            var active = Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            if (active == count)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{active} of {count} silos became active");
            await Task.Delay(200);
        }
    }
}

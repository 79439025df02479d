using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Customer360.Api.V1;
using Grpc.Core;
using static Customer360.EndToEnd.Tests.CrashWorkload;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// A rolling restart, as an upgrade is rolled out: three server processes form one cluster on
/// PostgreSQL, and each in turn is stopped with SIGTERM and started again with the same
/// settings while tills stream through every endpoint and an agent's screen keeps reading
/// customers. A stopping server ends its till streams with UNAVAILABLE; those tills send what
/// was not acknowledged again through another endpoint. Each server must stop by itself, reads
/// through the other endpoints must keep answering, and at the end nothing acknowledged is lost
/// or doubled and every customer and segment equals a recomputation from the log.
/// </summary>
public sealed class RollingRestartTests
{
    private const int Silos = 3;
    private const int CustomerCount = 1_200;
    private const int Tills = 6;

    // Each till sends about this many touchpoints a second: enough that every stop cuts
    // streams short, little enough that the restarts are not starved of the machine.
    private const int TouchpointsPerSecondPerTill = 100;

    // A till ends its stream after this many new touchpoints and opens the next one through its
    // own endpoint when that is up, so that a restarted server gets its tills back.
    private const int TouchpointsPerStream = 500;
    private const int AcknowledgedBetweenRestarts = 2_000;
    private const int CustomersRead = 60;

    // Longer than the host's shutdown time-out (30 s): a server still running then is stuck.
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task RestartingEverySiloInTurnUnderLoadLosesNothing()
    {
        var serviceId = "rolling-" + Guid.NewGuid().ToString("N");
        var shared = await ClusterCrashTests.ClusterSettingsAsync(serviceId);
        var prefix = $"rr-{Guid.NewGuid():N}"[..11];
        var workload = new Workload(prefix);
        var endpoints = new Endpoints();
        using var stopSending = new CancellationTokenSource();
        using var stopReading = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        var tills = new List<Task>();
        Task? reader = null;
        try
        {
            for (var i = 0; i < Silos; i++)
            {
                endpoints.Started(i, await ServerProcess.StartAsync(new Dictionary<string, string?>(shared)));
            }

            await ClusterCrashTests.ActiveSilosReachAsync(shared, serviceId, Silos);

            // 1. Tills stream through every endpoint, and a screen reads customers, throughout.
            tills.AddRange(Enumerable.Range(0, Tills).Select(t => Task.Run(() => TillAsync(t, endpoints, workload, stopSending.Token, abort.Token))));
            var readIds = Enumerable.Range(0, CustomersRead).Select(i => $"{prefix}-{i * (CustomerCount / CustomersRead)}").ToArray();
            reader = Task.Run(() => ReadAsync(readIds, endpoints, workload, stopReading.Token));

            // 2. Each silo in turn: stopped with SIGTERM, started again on the same ports, and
            // back in the cluster before the next one goes.
            var target = 0;
            for (var k = 0; k < Silos; k++)
            {
                target += AcknowledgedBetweenRestarts;
                await workload.AcknowledgedReachAsync(target);
                var old = endpoints.Stopping(k);
                var answeredBefore = workload.ReadsAnswered;
                var exitCode = await old.StopAsync(StopGrace);
                Assert.True(exitCode == 0, $"The server at {old.Address} exited with {exitCode} after SIGTERM:\n{old.RecentOutput}");
                endpoints.Started(k, await ServerProcess.StartAsync(old.Settings.ToDictionary()));
                await ClusterCrashTests.ActiveSilosReachAsync(shared, serviceId, Silos);
                Assert.True(workload.ReadsAnswered > answeredBefore, $"No read was answered while the server at {old.Address} restarted.");
            }

            // 3. Some more load on the full cluster, then the tills send what is still unacknowledged.
            await workload.AcknowledgedReachAsync(target + AcknowledgedBetweenRestarts);
            await stopSending.CancelAsync();
            await Task.WhenAll(tills).WaitAsync(TimeSpan.FromSeconds(60));
            await stopReading.CancelAsync();
            await reader;

            Assert.True(workload.Problems.IsEmpty, workload.Summary());
            Assert.All(endpoints.Stopped, server => Assert.True(workload.BrokenStreams(server) > 0, $"No till stream broke when the server at {server.Address} stopped."));
            var sent = workload.Sent;
            var unacknowledged = sent.Where(t => !workload.IsAcknowledged(t.EventId)).Select(t => t.EventId).ToArray();
            Assert.True(unacknowledged.Length == 0, $"{unacknowledged.Length} of {sent.Count} touchpoints were never acknowledged: {string.Join(", ", unacknowledged.Take(10))}");

            // 4. Every touchpoint is in the log exactly once, every endpoint shows the same
            // customers, equal to a recomputation from the log, and segments agree.
            await ClusterAgreesWithTheLogAsync(shared, serviceId, sent, endpoints.Live, prefix, CustomerCount);
        }
        finally
        {
            await abort.CancelAsync();
            await stopReading.CancelAsync();
            foreach (var server in endpoints.All)
            {
                await server.DisposeAsync();
            }

            await Task.WhenAll(tills.Append(reader ?? Task.CompletedTask).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    /// <summary>
    /// One till: streams its share of the workload (every customer whose number leaves
    /// <paramref name="till"/> when divided by the number of tills), paced, through its own
    /// endpoint or, when that is down, the next one up. A broken stream's unacknowledged
    /// touchpoints, and those refused, are sent again first on the next stream, through another
    /// endpoint. Once told to stop sending, it goes on until everything it sent is acknowledged.
    /// </summary>
    private static async Task TillAsync(int till, Endpoints endpoints, Workload workload, CancellationToken stopSending, CancellationToken abort)
    {
        var pending = new List<Api.V1.Touchpoint>();
        var next = till;
        var sentSoFar = 0;
        var started = Stopwatch.GetTimestamp();
        ServerProcess? broken = null;
        while (!abort.IsCancellationRequested && (!stopSending.IsCancellationRequested || pending.Count > 0))
        {
            var server = endpoints.For(till % Silos, avoid: broken);
            var onThisStream = new List<Api.V1.Touchpoint>();
            var failure = await StreamAsync(server, Touchpoints(), workload.Acks, ack => workload.Acknowledge(ack, server, endpoints.IsStopping(server)));
            pending = [.. onThisStream.Where(t => !workload.IsAcknowledged(t.EventId))];
            broken = null;
            if (failure is not null)
            {
                broken = server;
                workload.StreamBroke(server, failure, endpoints.IsStopping(server));
            }

            if (pending.Count > 0)
            {
                // As a till backs off before it sends again.
                await Task.Delay(100, CancellationToken.None);
            }

            async IAsyncEnumerable<Api.V1.Touchpoint> Touchpoints([EnumeratorCancellation] CancellationToken cancellation = default)
            {
                foreach (var touchpoint in pending)
                {
                    onThisStream.Add(touchpoint);
                    yield return touchpoint;
                }

                for (var n = 0; n < TouchpointsPerStream && !stopSending.IsCancellationRequested; n++)
                {
                    var due = TimeSpan.FromSeconds((double)sentSoFar / TouchpointsPerSecondPerTill) - Stopwatch.GetElapsedTime(started);
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, cancellation);
                    }

                    var touchpoint = workload.Next(next);
                    next += Tills;
                    sentSoFar++;
                    onThisStream.Add(touchpoint);
                    yield return touchpoint;
                }
            }
        }
    }

    /// <summary>
    /// An agent's screen: reads customers one after the other through the endpoints that are up,
    /// and every tenth time the segments. Each read must answer, a customer with at least every
    /// touchpoint acknowledged for it before the read began and never an older version than the
    /// read before. Only a read through a server that is stopping may fail, and then only with
    /// UNAVAILABLE.
    /// </summary>
    private static async Task ReadAsync(string[] customerIds, Endpoints endpoints, Workload workload, CancellationToken stop)
    {
        var lastVersion = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var id = customerIds[n % customerIds.Length];
            var server = endpoints.For(n % Silos, avoid: null);
            var acknowledged = workload.AcknowledgedFor(id);
            var what = n % 10 == 0 ? "ListSegments" : $"GetCustomer {id}";
            try
            {
                if (n % 10 == 0)
                {
                    await server.Segments.ListSegmentsAsync(new ListSegmentsRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: CancellationToken.None);
                }
                else
                {
                    var view = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: CancellationToken.None);
                    var last = lastVersion.GetValueOrDefault(id);
                    if (view.Version < acknowledged || view.Version < last)
                    {
                        workload.Problem("stale reads", $"{id} read through {server.Address} has version {view.Version}, with {acknowledged} touchpoints acknowledged and version {last} read before");
                    }

                    lastVersion[id] = Math.Max(last, view.Version);
                }

                workload.ReadAnswered();
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound && acknowledged == 0 && n % 10 != 0)
            {
                // Not written yet.
                workload.ReadAnswered();
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && endpoints.IsStopping(server))
            {
                // The screen's server is stopping; the next read goes elsewhere.
            }
            catch (RpcException ex)
            {
                workload.Problem(endpoints.IsStopping(server) ? "reads failed through a stopping server, not as UNAVAILABLE" : "reads failed through a server that was up", $"{what} through {server.Address} failed: {ex.Status}");
            }

            await Task.Delay(10, CancellationToken.None);
        }
    }

    /// <summary>The cluster's gRPC endpoints: which server serves each now, and which were stopped.</summary>
    private sealed class Endpoints
    {
        private readonly ServerProcess?[] _up = new ServerProcess?[Silos];
        private readonly List<ServerProcess> _all = [];
        private readonly HashSet<ServerProcess> _stopping = [];

        public IReadOnlyList<ServerProcess> All
        {
            get
            {
                lock (_all)
                {
                    return [.. _all];
                }
            }
        }

        public IReadOnlyList<ServerProcess> Stopped
        {
            get
            {
                lock (_all)
                {
                    return [.. _stopping];
                }
            }
        }

        public IReadOnlyList<ServerProcess> Live
        {
            get
            {
                lock (_all)
                {
                    return [.. _up.Select(s => s ?? throw new InvalidOperationException("An endpoint is down."))];
                }
            }
        }

        public void Started(int endpoint, ServerProcess server)
        {
            lock (_all)
            {
                _up[endpoint] = server;
                _all.Add(server);
            }
        }

        /// <summary>Takes the endpoint out of use before its server is stopped.</summary>
        public ServerProcess Stopping(int endpoint)
        {
            lock (_all)
            {
                var server = _up[endpoint] ?? throw new InvalidOperationException($"Endpoint {endpoint} is down already.");
                _up[endpoint] = null;
                _stopping.Add(server);
                return server;
            }
        }

        public bool IsStopping(ServerProcess server)
        {
            lock (_all)
            {
                return _stopping.Contains(server);
            }
        }

        /// <summary>The server of <paramref name="endpoint"/> if it is up, or else of the next endpoint up, passing over <paramref name="avoid"/>.</summary>
        public ServerProcess For(int endpoint, ServerProcess? avoid)
        {
            lock (_all)
            {
                for (var i = 0; i < Silos; i++)
                {
                    if (_up[(endpoint + i) % Silos] is { } server && server != avoid)
                    {
                        return server;
                    }
                }
            }

            throw new InvalidOperationException("No endpoint is up.");
        }
    }

    /// <summary>What the tills sent and were told, what the screen read, and anything that went wrong.</summary>
    private sealed class Workload(string prefix)
    {
        private readonly ConcurrentDictionary<string, Api.V1.Touchpoint> _sent = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, bool> _acknowledged = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, int> _acknowledgedByCustomer = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<ServerProcess, int> _brokenStreams = new();
        private long _readsAnswered;

        public ConcurrentDictionary<string, TouchpointAck> Acks { get; } = new(StringComparer.Ordinal);

        public ConcurrentQueue<(string Kind, string Detail)> Problems { get; } = new();

        public IReadOnlyCollection<Api.V1.Touchpoint> Sent => [.. _sent.Values];

        public long ReadsAnswered => Interlocked.Read(ref _readsAnswered);

        public Api.V1.Touchpoint Next(int index)
        {
            var touchpoint = Touchpoint(prefix, index, CustomerCount);
            _sent[touchpoint.EventId] = touchpoint;
            return touchpoint;
        }

        /// <summary>Counts an ACCEPTED or DUPLICATE ack. Only a stopping server may refuse a touchpoint, and only as UNAVAILABLE.</summary>
        public void Acknowledge(TouchpointAck ack, ServerProcess server, bool stopping)
        {
            if (ack.Status is AckStatus.Accepted or AckStatus.Duplicate && _acknowledged.TryAdd(ack.EventId, true))
            {
                _acknowledgedByCustomer.AddOrUpdate(_sent[ack.EventId].CustomerId, 1, (_, n) => n + 1);
            }
            else if (ack.Status == AckStatus.Rejected && !(stopping && ack.Code == (int)StatusCode.Unavailable))
            {
                Problem(stopping ? "touchpoints refused by a stopping server, not as UNAVAILABLE" : "touchpoints refused by a server that was up", $"by {server.Address}: {ack}");
            }
        }

        public bool IsAcknowledged(string eventId) => _acknowledged.ContainsKey(eventId);

        public int AcknowledgedFor(string customerId) => _acknowledgedByCustomer.GetValueOrDefault(customerId);

        public void ReadAnswered() => Interlocked.Increment(ref _readsAnswered);

        public void Problem(string kind, string detail) => Problems.Enqueue((kind, detail));

        /// <summary>How many problems of each kind, with the first few of each.</summary>
        public string Summary() => string.Join(
            "\n",
            Problems.GroupBy(p => p.Kind).Select(g => $"{g.Count()} {g.Key}, the first:\n  {string.Join("\n  ", g.Take(3).Select(p => p.Detail))}"));

        public int BrokenStreams(ServerProcess server) => _brokenStreams.GetValueOrDefault(server);

        public void StreamBroke(ServerProcess server, Exception failure, bool stopping)
        {
            _brokenStreams.AddOrUpdate(server, 1, (_, n) => n + 1);
            if (!stopping)
            {
                Problem("till streams broken by a server that was not stopping", $"through {server.Address}: {failure}");
            }
        }

        public async Task AcknowledgedReachAsync(int count)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (_acknowledged.Count < count)
            {
                Assert.True(DateTime.UtcNow < deadline, $"Only {_acknowledged.Count} of {count} touchpoints were acknowledged.\n{Summary()}");
                await Task.Delay(100);
            }
        }
    }
}

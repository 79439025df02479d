using System.Diagnostics;
using Customer360.Api.V1;
using Customer360.LoadTest.Ingest;
using Customer360.LoadTest.Workload;
using Grpc.Core;
using Grpc.Net.Client;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// Everything that runs next to the tills during the engine phase, as the other clients of a
/// running server would: agents reading customers (<see cref="CustomerReads"/>), screens watching
/// customers (<see cref="CustomerWatchers"/>) and a dashboard on the segments
/// (<see cref="SegmentDashboard"/>). Each has a connection of its own, as a separate client
/// would, so that long-lived watches never queue behind the tills' streams.
/// </summary>
internal sealed class MixedWorkload : IAckObserver, IAsyncDisposable
{
    /// <summary>How long after the last ack watchers and the dashboard may still report what it changed.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(3);

    /// <summary>How long every watch has to deliver its first view or figures before the phase starts.</summary>
    public static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, WorkloadTouchpoint> _touchpoints;
    private readonly List<GrpcChannel> _channels = [];
    private readonly CancellationTokenSource _stopReads = new();
    private readonly CancellationTokenSource _stopWatches = new();
    private readonly CustomerReads? _reads;
    private readonly CustomerWatchers? _watchers;
    private readonly SegmentDashboard? _dashboard;
    private readonly CustomerService.CustomerServiceClient[] _watcherClients = [];
    private Task _reading = Task.CompletedTask;
    private Task _watching = Task.CompletedTask;
    private Task _dashboardRunning = Task.CompletedTask;
    private long _acks;

    /// <param name="readsPerSecond">GetCustomer calls per second; null or 0 for none.</param>
    /// <param name="readRecent">Recent touchpoints each read asks for; null for all the server keeps.</param>
    /// <param name="watchers">Customers to watch, the busiest of the workload first; 0 for none.</param>
    /// <param name="baseNetSpend">Each customer's net spend before the phase, for the dashboard.</param>
    /// <param name="servers">The addresses given; reads, watches and the dashboard's segments are spread over all of them.</param>
    /// <param name="apiKey">Sent with every call, for servers that require a key.</param>
    /// <param name="caCertificate">Certificates to trust for https:// servers instead of the system's, if given.</param>
    public MixedWorkload(IReadOnlyList<Uri> servers, string? apiKey, string? caCertificate, IngestWorkload workload, double? readsPerSecond, int? readRecent, int watchers, bool dashboard, int seed, IReadOnlyDictionary<string, decimal> baseNetSpend)
    {
        if (readsPerSecond is { } rate && rate > 0)
        {
            _reads = new CustomerReads([.. servers.Select(s => new CustomerService.CustomerServiceClient(Open(s, apiKey, caCertificate)))], rate, seed, readRecent);
        }

        if (watchers > 0)
        {
            WatchedCustomers = workload.Touchpoints.CountBy(t => t.CustomerId)
                .OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
                .Take(watchers).Select(c => c.Key).ToArray();
            _watcherClients = [.. servers.Select(s => new CustomerService.CustomerServiceClient(Open(s, apiKey, caCertificate)))];
            _watchers = new CustomerWatchers(_watcherClients, WatchedCustomers);
        }

        if (dashboard)
        {
            _dashboard = new SegmentDashboard([.. servers.Select(s => new SegmentService.SegmentServiceClient(Open(s, apiKey, caCertificate)))], workload, baseNetSpend);
        }

        // Only needed, and only built, when something follows the acks.
        _touchpoints = Any
            ? workload.Touchpoints.ToDictionary(t => t.EventId, StringComparer.Ordinal)
            : new Dictionary<string, WorkloadTouchpoint>(StringComparer.Ordinal);
    }

    /// <summary>The customers watched, the busiest first.</summary>
    public IReadOnlyList<string> WatchedCustomers { get; } = [];

    public bool Any => _reads is not null || _watchers is not null || _dashboard is not null;

    /// <summary>
    /// Each customer's net spend from the touchpoints of a warm-up sent to the measured customers,
    /// which the dashboard finds in the segments before the measured phase.
    /// </summary>
    public static IReadOnlyDictionary<string, decimal> NetSpendOf(IngestWorkload? earlier) =>
        earlier is null
            ? new Dictionary<string, decimal>(StringComparer.Ordinal)
            : earlier.Touchpoints.GroupBy(t => t.CustomerId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(t => t.NetSpendChange), StringComparer.Ordinal);

    /// <summary>
    /// Opens the watches and waits for their first figures; reads begin with the first ack. A
    /// watched customer the server has not seen yet is created first with an empty profile
    /// change, as a screen only ever watches a customer that exists.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_watchers is not null)
        {
            var client = _watcherClients[0];
            await Parallel.ForEachAsync(WatchedCustomers, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (id, ct) =>
            {
                try
                {
                    await client.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }, cancellationToken: ct);
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
                {
                    await client.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = id }, cancellationToken: ct);
                }
            });
            _watching = await _watchers.StartAsync(_stopWatches.Token);
        }

        if (_dashboard is not null)
        {
            _dashboardRunning = await _dashboard.StartAsync(_stopWatches.Token);
        }

        if (_reads is not null)
        {
            _reading = _reads.RunAsync(_stopReads.Token);
        }
    }

    public void Acknowledged(string eventId, TouchpointAck ack, long receivedAt)
    {
        if (ack.Status is not (AckStatus.Accepted or AckStatus.Duplicate) || !_touchpoints.TryGetValue(eventId, out var touchpoint))
        {
            return;
        }

        _reads?.Acknowledged(touchpoint.CustomerId);
        if (ack.Status != AckStatus.Accepted)
        {
            return;
        }

        Interlocked.Increment(ref _acks);
        if (_watchers is not null && _watchers.IsWatched(touchpoint.CustomerId))
        {
            _watchers.Acknowledged(touchpoint.CustomerId, eventId, ack.CustomerVersion, receivedAt);
        }

        _dashboard?.Acknowledged(eventId, receivedAt);
    }

    /// <summary>
    /// Ends the reads at once, gives the watchers and the dashboard up to <see cref="SettleTime"/>
    /// to report the last acks, then closes everything and returns the figures.
    /// </summary>
    public async Task<MixedWorkloadResult> StopAsync(CancellationToken cancellationToken)
    {
        await _stopReads.CancelAsync();
        await _reading;

        var settling = Stopwatch.StartNew();
        while (settling.Elapsed < SettleTime &&
               ((_watchers?.Unmatched ?? 0) > 0 || (_dashboard?.PendingOfListedMembers() ?? 0) > 0))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }

        await _stopWatches.CancelAsync();
        await Task.WhenAll(_watching, _dashboardRunning);

        return new MixedWorkloadResult
        {
            Reads = _reads is null
                ? null
                : new ReadResult(_reads.RatePerSecond, _reads.Started, _reads.Elapsed, _reads.Tally.Latency(), _reads.Tally.Errors())
                {
                    TouchpointsPerView = _reads.TouchpointsPerView,
                },
            Watch = _watchers is null
                ? null
                : new WatchResult(_watchers.Count, _watchers.Views, _watchers.Acks, _watchers.Unmatched, _watchers.Propagation.Latency(), _watchers.Streams.Errors())
                {
                    ViewsByEndpoint = _watchers.ViewsByEndpoint,
                },
            Dashboard = _dashboard is null
                ? null
                : new DashboardResult(_dashboard.SegmentIds, _dashboard.Updates, Interlocked.Read(ref _acks), _dashboard.VisibleAcks, _dashboard.Staleness.Latency(), _dashboard.Streams.Errors())
                {
                    UpdatesByEndpoint = _dashboard.UpdatesByEndpoint,
                },
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _stopReads.CancelAsync();
        await _stopWatches.CancelAsync();
        _stopReads.Dispose();
        _stopWatches.Dispose();
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }

    /// <summary>A connection of its own, free to open more HTTP/2 connections when one's stream limit is reached.</summary>
    private GrpcChannel Open(Uri server, string? apiKey, string? caCertificate)
    {
        var channel = ServerChannel.Open(server, apiKey, caCertificate, new SocketsHttpHandler { EnableMultipleHttp2Connections = true });
        _channels.Add(channel);
        return channel;
    }
}

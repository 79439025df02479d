using System.Diagnostics;
using Customer360.Api.V1;
using Grpc.Core;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// Screens watching customers while the tills write: one <c>WatchCustomer</c> stream per watched
/// customer. Propagation is the time from the ack of a touchpoint for that customer to the
/// watcher receiving a view whose version is at least the version the ack reported (a view that
/// arrives before the ack counts as zero). An ack without a version is matched by its event id
/// among the view's recent touchpoints instead.
/// </summary>
/// <remarks>
/// With several addresses (the silos of a cluster) the watches take them in turn, so that a
/// screen on one silo sees touchpoints that tills sent through another.
/// </remarks>
internal sealed class CustomerWatchers(IReadOnlyList<CustomerService.CustomerServiceClient> endpoints, IReadOnlyList<string> customerIds)
{
    private readonly Dictionary<string, Watched> _watched = customerIds.Select((id, i) => (id, i))
        .ToDictionary(c => c.id, c => new Watched(c.i), StringComparer.Ordinal);

    public OperationTally Propagation { get; } = new();

    /// <summary>Stream failures, by status code.</summary>
    public OperationTally Streams { get; } = new();

    public int Count => _watched.Count;

    /// <summary>Views received over all watchers, the first of each included.</summary>
    public long Views => _watched.Values.Sum(w => Interlocked.Read(ref w.Views));

    /// <summary>Views received through each address, in the order given.</summary>
    public IReadOnlyList<long> ViewsByEndpoint =>
        [.. Enumerable.Range(0, endpoints.Count).Select(e => _watched.Values.Where(w => w.Index % endpoints.Count == e).Sum(w => Interlocked.Read(ref w.Views)))];

    /// <summary>Acks for watched customers.</summary>
    public long Acks => _watched.Values.Sum(w => Interlocked.Read(ref w.Acks));

    /// <summary>Acks for watched customers that no view answered before the watchers stopped.</summary>
    public int Unmatched => _watched.Values.Sum(w => { lock (w) { return w.Pending.Count; } });

    public bool IsWatched(string customerId) => _watched.ContainsKey(customerId);

    /// <summary>
    /// Opens every watch and waits for each one's first (current) view, so that none misses the
    /// first touchpoints; <see cref="TimeoutException"/> if they do not come.
    /// </summary>
    public async Task<Task> StartAsync(CancellationToken stop)
    {
        var running = _watched.Select(w => WatchAsync(w.Key, w.Value, stop)).ToArray();
        await Task.WhenAll(_watched.Values.Select(w => w.Opened.Task)).WaitAsync(MixedWorkload.OpenTimeout, stop);
        return Task.WhenAll(running);
    }

    /// <summary>A durable ack for a watched customer.</summary>
    public void Acknowledged(string customerId, string eventId, long version, long receivedAt)
    {
        var watched = _watched[customerId];
        Interlocked.Increment(ref watched.Acks);
        lock (watched)
        {
            if (version > 0 ? watched.Version >= version : watched.SeenEvents.Contains(eventId))
            {
                // The watcher had the new view before the till had its ack.
                Propagation.RecordMicroseconds(0);
                return;
            }

            watched.Pending.Add(new PendingAck(eventId, version, receivedAt));
        }
    }

    private async Task WatchAsync(string customerId, Watched watched, CancellationToken stop)
    {
        try
        {
            using var call = endpoints[watched.Index % endpoints.Count].WatchCustomer(new WatchCustomerRequest { CustomerId = customerId }, cancellationToken: stop);
            while (await call.ResponseStream.MoveNext(stop))
            {
                var receivedAt = Stopwatch.GetTimestamp();
                var view = call.ResponseStream.Current;
                Viewed(customerId, view.Version, view.RecentTouchpoints.Select(t => t.EventId), receivedAt);
                watched.Opened.TrySetResult();
            }
        }
        catch (Exception ex) when (stop.IsCancellationRequested && ex is OperationCanceledException or RpcException)
        {
            // Stopped at the end of the phase.
        }
        catch (RpcException ex)
        {
            Streams.Fail(ex.StatusCode.ToString());
        }
        finally
        {
            // A watch that failed before its first view must not hold up the start.
            watched.Opened.TrySetResult();
        }
    }

    /// <summary>The watcher of <paramref name="customerId"/> received a view at <paramref name="receivedAt"/>.</summary>
    public void Viewed(string customerId, long version, IEnumerable<string> recentEventIds, long receivedAt)
    {
        var watched = _watched[customerId];
        Interlocked.Increment(ref watched.Views);
        lock (watched)
        {
            watched.Version = Math.Max(watched.Version, version);
            watched.SeenEvents.UnionWith(recentEventIds);
            watched.Pending.RemoveAll(p =>
            {
                var reached = p.Version > 0 ? watched.Version >= p.Version : watched.SeenEvents.Contains(p.EventId);
                if (reached)
                {
                    RecordPropagation(p.AckedAt, receivedAt);
                }

                return reached;
            });
        }
    }

    private void RecordPropagation(long ackedAt, long receivedAt) =>
        Propagation.RecordMicroseconds((long)Stopwatch.GetElapsedTime(ackedAt, receivedAt).TotalMicroseconds);

    private readonly record struct PendingAck(string EventId, long Version, long AckedAt);

    /// <param name="index">The customer's place among those watched, which decides its address.</param>
    private sealed class Watched(int index)
    {
        public readonly int Index = index;
        public readonly TaskCompletionSource Opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public readonly List<PendingAck> Pending = [];
        public readonly HashSet<string> SeenEvents = new(StringComparer.Ordinal);
        public long Version;
        public long Views;
        public long Acks;
    }
}

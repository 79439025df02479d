using System.Diagnostics;
using System.Globalization;
using Customer360.Api.V1;
using Customer360.Domain.Segments;
using Customer360.LoadTest.Workload;
using Grpc.Core;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// A dashboard on the segments while the tills write: one <c>WatchSegment</c> stream per tier and
/// channel segment the workload touches, with the top members. Staleness is the time from the ack
/// of a touchpoint to the first segment update that reflects it.
/// </summary>
/// <remarks>
/// A segment's totals are sums over its members, so no single ack can be found in them. What an
/// update does carry per member is each top member's net spend. Every measured customer's net
/// spend after each of its touchpoints is known in advance (its touchpoints travel in order on
/// one stream); an update showing a member's net spend tells how far into the member's
/// touchpoints the segment has got. Where the same figure fits several places, the earliest that
/// is not behind what an earlier update showed is taken, so a touchpoint is never counted as
/// reflected before it is. Only touchpoints that change net spend (purchases and returns) can be
/// seen this way, and only for customers among a segment's top members when the till has its
/// ack: a touchpoint of a customer outside every top list is in the segment's totals long before
/// the customer may rise into a top list, so the update that first lists the customer says
/// nothing about how stale the totals were, and such acks are not followed. The report gives the
/// share of acks matched (the coverage).
/// </remarks>
internal sealed class SegmentDashboard
{
    public const int TopMembers = 100;

    private readonly IReadOnlyList<SegmentService.SegmentServiceClient> _endpoints;
    private readonly Dictionary<string, Member> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Member Member, int Index)> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<Member>> _topOf = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource[] _opened;
    private long _updates;
    private readonly long[] _updatesByEndpoint;
    private long _visibleAcks;

    /// <param name="endpoints">The addresses to watch through; with several, the segments take them in turn.</param>
    /// <param name="baseNetSpend">Each customer's net spend before the measured phase (from a warm-up on the same customers), if any.</param>
    public SegmentDashboard(IReadOnlyList<SegmentService.SegmentServiceClient> endpoints, IngestWorkload workload, IReadOnlyDictionary<string, decimal> baseNetSpend)
    {
        _endpoints = endpoints;
        _updatesByEndpoint = new long[endpoints.Count];
        foreach (var touchpoint in workload.Touchpoints)
        {
            if (!_members.TryGetValue(touchpoint.CustomerId, out var member))
            {
                member = new Member(baseNetSpend.GetValueOrDefault(touchpoint.CustomerId));
                _members.Add(touchpoint.CustomerId, member);
            }

            member.NetSpendAfter.Add(member.NetSpendAfter[^1] + touchpoint.NetSpendChange);
            if (touchpoint.NetSpendChange != 0)
            {
                _events.Add(touchpoint.EventId, (member, member.NetSpendAfter.Count - 1));
            }
        }

        SegmentIds =
        [
            .. SegmentId.All.Where(id => id.StartsWith(SegmentId.TierDimension + ":", StringComparison.Ordinal)),
            .. workload.Touchpoints.Select(t => t.Message.Channel).Distinct().Order().Select(c => SegmentId.ForChannel((Domain.Customers.Channel)c)),
        ];
        _opened = SegmentIds.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
    }

    /// <summary>The segments watched.</summary>
    public IReadOnlyList<string> SegmentIds { get; }

    public OperationTally Staleness { get; } = new();

    /// <summary>Stream failures, by status code.</summary>
    public OperationTally Streams { get; } = new();

    /// <summary>Segment updates received over all streams, the first of each included.</summary>
    public long Updates => Interlocked.Read(ref _updates);

    /// <summary>Segment updates received through each address, in the order given.</summary>
    public IReadOnlyList<long> UpdatesByEndpoint => [.. _updatesByEndpoint.Select((_, i) => Interlocked.Read(ref _updatesByEndpoint[i]))];

    /// <summary>Acks that changed a customer's net spend, the only ones an update can show.</summary>
    public long VisibleAcks => Interlocked.Read(ref _visibleAcks);

    /// <summary>Acks that change net spend, for customers some update listed as a top member, not yet seen reflected.</summary>
    public int PendingOfListedMembers()
    {
        var pending = 0;
        foreach (var member in _members.Values)
        {
            lock (member)
            {
                if (member.Listed)
                {
                    pending += member.Pending.Count;
                }
            }
        }

        return pending;
    }

    /// <summary>Opens every segment watch and waits for each one's first figures; <see cref="TimeoutException"/> if they do not come.</summary>
    public async Task<Task> StartAsync(CancellationToken stop)
    {
        var running = SegmentIds.Select((id, i) => WatchAsync(i % _endpoints.Count, id, _opened[i], stop)).ToArray();
        await Task.WhenAll(_opened.Select(o => o.Task)).WaitAsync(MixedWorkload.OpenTimeout, stop);
        return Task.WhenAll(running);
    }

    /// <summary>A durable ack; only those that change net spend are followed.</summary>
    public void Acknowledged(string eventId, long receivedAt)
    {
        if (!_events.TryGetValue(eventId, out var known))
        {
            return;
        }

        Interlocked.Increment(ref _visibleAcks);
        lock (known.Member)
        {
            if (known.Member.TopIn == 0)
            {
                // Not among any watched segment's top members: no update can show when this lands.
                return;
            }

            if (known.Member.Reflected >= known.Index)
            {
                // An update showed it before the till had its ack.
                Staleness.RecordMicroseconds(0);
                return;
            }

            known.Member.Pending.Add((known.Index, receivedAt));
        }
    }

    private async Task WatchAsync(int endpoint, string segmentId, TaskCompletionSource opened, CancellationToken stop)
    {
        try
        {
            using var call = _endpoints[endpoint].WatchSegment(new WatchSegmentRequest { SegmentId = segmentId, Top = TopMembers }, cancellationToken: stop);
            while (await call.ResponseStream.MoveNext(stop))
            {
                var receivedAt = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref _updates);
                Interlocked.Increment(ref _updatesByEndpoint[endpoint]);
                var top = new List<(string, decimal)>();
                foreach (var entry in call.ResponseStream.Current.TopMembers)
                {
                    if (decimal.TryParse(entry.NetSpend?.Amount, NumberStyles.Number, CultureInfo.InvariantCulture, out var netSpend))
                    {
                        top.Add((entry.CustomerId, netSpend));
                    }
                }

                Update(segmentId, top, receivedAt);
                opened.TrySetResult();
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
            opened.TrySetResult();
        }
    }

    /// <summary>
    /// An update of <paramref name="segmentId"/> received at <paramref name="receivedAt"/>, with its
    /// top members and their net spend. A customer it no longer lists has left that segment's top;
    /// one who has left every watched top list has its pending acks dropped, unmatched.
    /// </summary>
    public void Update(string segmentId, IReadOnlyList<(string CustomerId, decimal NetSpend)> top, long receivedAt)
    {
        HashSet<Member> before;
        lock (_topOf)
        {
            before = _topOf.TryGetValue(segmentId, out var listed) ? listed : [];
        }

        var now = new HashSet<Member>();
        foreach (var (customerId, _) in top)
        {
            if (_members.TryGetValue(customerId, out var member))
            {
                now.Add(member);
            }
        }

        foreach (var member in now.Except(before))
        {
            lock (member)
            {
                member.TopIn++;
            }
        }

        foreach (var member in before.Except(now))
        {
            lock (member)
            {
                if (--member.TopIn == 0)
                {
                    member.Pending.Clear();
                }
            }
        }

        lock (_topOf)
        {
            _topOf[segmentId] = now;
        }

        foreach (var (customerId, netSpend) in top)
        {
            Listed(customerId, netSpend, receivedAt);
        }
    }

    /// <summary>A segment update received at <paramref name="receivedAt"/> listed the customer with this net spend.</summary>
    private void Listed(string customerId, decimal netSpend, long receivedAt)
    {
        if (!_members.TryGetValue(customerId, out var member))
        {
            return;
        }

        lock (member)
        {
            member.Listed = true;
            var index = member.NetSpendAfter.IndexOf(netSpend, member.Reflected);
            if (index < 0)
            {
                // Older than what an update already showed (another segment lagging), or not of this run.
                return;
            }

            member.Reflected = index;
            member.Pending.RemoveAll(p =>
            {
                if (p.Index > index)
                {
                    return false;
                }

                Staleness.RecordMicroseconds((long)Stopwatch.GetElapsedTime(p.AckedAt, receivedAt).TotalMicroseconds);
                return true;
            });
        }
    }

    /// <summary>One customer of the workload, as the dashboard follows it.</summary>
    private sealed class Member(decimal baseNetSpend)
    {
        /// <summary>Net spend before the phase (index 0) and after each of the customer's touchpoints in it.</summary>
        public readonly List<decimal> NetSpendAfter = [baseNetSpend];

        /// <summary>Acks not yet seen reflected: the touchpoint's index in <see cref="NetSpendAfter"/>, and when the ack came.</summary>
        public readonly List<(int Index, long AckedAt)> Pending = [];

        /// <summary>How far into the customer's touchpoints some update has been seen to reach, at least.</summary>
        public int Reflected;

        /// <summary>Some update listed the customer among its top members.</summary>
        public bool Listed;

        /// <summary>In how many watched segments' latest update the customer is a top member.</summary>
        public int TopIn;
    }
}

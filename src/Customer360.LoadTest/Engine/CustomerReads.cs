using System.Diagnostics;
using Customer360.Api.V1;
using Grpc.Core;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// Agents looking customers up while the tills write: open-loop <c>GetCustomer</c> calls at a
/// fixed rate. Each read picks one of the touchpoints acknowledged so far at random and reads its
/// customer, so reads fall on customers as unevenly as the touchpoints do (a skewed workload's
/// busy customers are read most) and never on a customer the engine has not seen yet. Latency
/// runs from each call's due time; failures are counted by gRPC status code.
/// </summary>
/// <param name="recentTouchpoints">How many recent touchpoints each read asks for; null for all the server keeps.</param>
internal sealed class CustomerReads(IReadOnlyList<CustomerService.CustomerServiceClient> endpoints, double ratePerSecond, int seed, int? recentTouchpoints = null)
{
    private readonly List<string> _acknowledged = [];
    private readonly Random _random = new(seed);
    private readonly TaskCompletionSource _firstAck = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _calls;
    private long _touchpointsReturned;

    public OperationTally Tally { get; } = new();

    public double RatePerSecond => ratePerSecond;

    /// <summary>Calls started; together with the elapsed time, the rate actually offered.</summary>
    public long Started { get; private set; }

    /// <summary>From the first read's due time to the end of the phase.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>
    /// Recent touchpoints per view returned, on average over the successful reads: what
    /// <c>--read-recent</c> asked the server for, as the server answered it. Null before any read succeeded.
    /// </summary>
    public double? TouchpointsPerView =>
        Tally.Succeeded is > 0 and var views ? (double)Interlocked.Read(ref _touchpointsReturned) / views : null;

    /// <summary>A touchpoint of <paramref name="customerId"/> was acknowledged as durable.</summary>
    public void Acknowledged(string customerId)
    {
        lock (_acknowledged)
        {
            _acknowledged.Add(customerId);
        }

        _firstAck.TrySetResult();
    }

    /// <summary>Reads from the first acknowledgement until <paramref name="stop"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            await _firstAck.Task.WaitAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        Started = await OpenLoopSchedule.RunAsync(ratePerSecond, ReadAsync, stop);
        Elapsed = Stopwatch.GetElapsedTime(started);
    }

    /// <summary>One read now, outside the schedule.</summary>
    internal Task ReadOnceAsync() => ReadAsync(Stopwatch.GetTimestamp());

    private async Task ReadAsync(long due)
    {
        string customerId;
        lock (_acknowledged)
        {
            customerId = _acknowledged[_random.Next(_acknowledged.Count)];
        }

        try
        {
            // Agents are spread over every address given, one call after another.
            var client = endpoints[(int)((ulong)Interlocked.Increment(ref _calls) % (ulong)endpoints.Count)];
            var request = new GetCustomerRequest { CustomerId = customerId };
            if (recentTouchpoints is { } recent)
            {
                request.RecentTouchpoints = recent;
            }

            var view = await client.GetCustomerAsync(request);
            Tally.Succeed(due, Stopwatch.GetTimestamp());
            Interlocked.Add(ref _touchpointsReturned, view.RecentTouchpoints.Count);
        }
        catch (RpcException ex)
        {
            Tally.Fail(ex.StatusCode.ToString());
        }
        catch (Exception ex)
        {
            Tally.Fail(ex.GetType().Name);
        }
    }
}

using Customer360.Api.V1;
using Customer360.LoadTest.Workload;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// The engine phase: the workload sent over several concurrent <c>StreamTouchpoints</c> calls, as
/// a fleet of tills or an integration hub would. All touchpoints of one customer travel on the
/// same stream (customer index modulo the stream count), so each customer's touchpoints arrive in
/// the order they were generated.
/// </summary>
internal sealed class EngineIngest(IReadOnlyList<CustomerService.CustomerServiceClient> endpoints, int streams, int window, int batch, double? offeredRate, IAckObserver? observer = null)
{
    public const int DefaultStreams = 16;

    /// <summary>The server applies up to 64 touchpoints of one stream at a time; a larger client window only queues.</summary>
    public const int DefaultWindow = 64;

    /// <summary>One touchpoint per message, as a single till sends them.</summary>
    public const int DefaultBatch = 1;

    /// <summary>
    /// Told in one line of each stream the server refused for now as it opened, and when it is
    /// opened again (see <see cref="TouchpointStream"/>).
    /// </summary>
    public Action<string>? Refused { get; init; }

    /// <summary>How long in all each stream waits out refusals before it fails; a minute unless set.</summary>
    public TimeSpan? LongestRefusal { get; init; }

    /// <summary>Runs the phase; <paramref name="progress"/> gets a line every few seconds while it runs.</summary>
    public async Task<EngineResult> RunAsync(IngestWorkload workload, Action<string>? progress, CancellationToken cancellationToken)
    {
        var partitions = Enumerable.Range(0, streams).Select(_ => new List<WorkloadTouchpoint>()).ToArray();
        foreach (var touchpoint in workload.Touchpoints)
        {
            partitions[touchpoint.CustomerIndex % streams].Add(touchpoint);
        }

        var clock = new PhaseClock();
        var pacer = offeredRate is { } rate ? new OfferedRatePacer(rate) : null;
        // Stream i goes to endpoint i mod n, so each customer's touchpoints go through one endpoint, in order.
        var drivers = partitions.Select((_, i) => new TouchpointStream(
            endpoints[i % endpoints.Count], window, batch, pacer, clock, observer, (refusal, wait) => Report(i, refusal, wait), LongestRefusal)).ToArray();

        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reporting = progress is null
            ? Task.CompletedTask
            : clock.ReportProgressAsync(workload.Touchpoints.Count, "acknowledged", progress, stopProgress.Token);

        pacer?.Start();
        try
        {
            await Task.WhenAll(drivers.Select((driver, i) => driver.RunAsync(partitions[i], cancellationToken)));
        }
        finally
        {
            await stopProgress.CancelAsync();
            await reporting;
        }

        return Summarise(drivers, clock);
    }

    private void Report(int stream, Grpc.Core.RpcException refusal, TimeSpan wait) =>
        Refused?.Invoke(string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"stream {stream} refused for now: {refusal.StatusCode}: {refusal.Status.Detail}; opening it again in {wait.TotalSeconds:0.#} s"));

    private EngineResult Summarise(TouchpointStream[] drivers, PhaseClock clock)
    {
        var ackLatency = LatencySummary.CreateHistogram();
        var scheduledLatency = LatencySummary.CreateHistogram();
        var problems = new List<string>();
        for (var i = 0; i < drivers.Length; i++)
        {
            var driver = drivers[i];
            ackLatency.Add(driver.AckLatency);
            scheduledLatency.Add(driver.ScheduledLatency);
            if (driver.Tally.Error is { } error)
            {
                problems.Add($"stream {i}: {error}");
            }

            problems.AddRange(driver.Tally.RejectionReasons.Select(reason => $"stream {i}: rejected {reason}"));
        }

        var tallies = drivers.Select(d => d.Tally).ToArray();
        return new EngineResult
        {
            Streams = streams,
            Window = window,
            Batch = batch,
            Messages = tallies.Sum(t => t.Messages),
            OfferedRate = offeredRate,
            Sent = tallies.Sum(t => t.Sent),
            Accepted = tallies.Sum(t => t.Accepted),
            Duplicate = tallies.Sum(t => t.Duplicate),
            Rejected = tallies.Sum(t => t.Rejected),
            Unacknowledged = tallies.Sum(t => t.Unacknowledged),
            RefusalsWaitedOut = tallies.Sum(t => t.RefusalsWaitedOut),
            Elapsed = clock.Elapsed,
            Applied = tallies.SelectMany(t => t.Applied).ToHashSet(StringComparer.Ordinal),
            Answered = tallies.SelectMany(t => t.Answered).ToHashSet(StringComparer.Ordinal),
            AckLatency = LatencySummary.From(ackLatency),
            ScheduledLatency = offeredRate is null ? null : LatencySummary.From(scheduledLatency),
            Problems = problems,
            AcknowledgedByEndpoint = [.. Enumerable.Range(0, endpoints.Count).Select(e => tallies.Where((_, i) => i % endpoints.Count == e).Sum(t => t.Accepted + t.Duplicate + t.Rejected))],
        };
    }
}

using Customer360.LoadTest.Ceiling.Wire;
using Customer360.LoadTest.Engine;
using Customer360.LoadTest.Workload;
using Google.Protobuf;

namespace Customer360.LoadTest.Ceiling;

/// <summary>
/// The gRPC ceiling: the workload's touchpoints, serialized as the engine receives them, sent to
/// an echo service over as many bidirectional streams as the engine phase uses, with the same
/// window and batching, and each customer's touchpoints on the same stream (customer index modulo
/// the stream count). What the engine adds to a StreamTouchpoints message (validation, the
/// customer grain, the durable log) is then the difference between the two rates.
/// </summary>
internal sealed class EchoCeiling(TouchpointEcho.TouchpointEchoClient client, int streams, int window, int batch, double? offeredRate = null)
{
    public async Task<EchoCeilingResult> RunAsync(IngestWorkload workload, CancellationToken cancellationToken)
    {
        // Serialized before timing: the engine's client serializes each message as it sends it,
        // and the echo's client does the same with these bytes inside its frame.
        var partitions = Enumerable.Range(0, streams).Select(_ => new List<ByteString>()).ToArray();
        foreach (var touchpoint in workload.Touchpoints)
        {
            partitions[touchpoint.CustomerIndex % streams].Add(touchpoint.Message.ToByteString());
        }

        var clock = new PhaseClock();
        var pacer = offeredRate is { } rate ? new OfferedRatePacer(rate) : null;
        var drivers = partitions.Select(_ => new EchoStream(client, window, batch, pacer, clock)).ToArray();
        pacer?.Start();
        await Task.WhenAll(drivers.Select((driver, i) => driver.RunAsync(partitions[i], cancellationToken)));

        var latency = LatencySummary.CreateHistogram();
        var scheduled = LatencySummary.CreateHistogram();
        var problems = new List<string>();
        for (var i = 0; i < drivers.Length; i++)
        {
            latency.Add(drivers[i].Latency);
            scheduled.Add(drivers[i].ScheduledLatency);
            if (drivers[i].Error is { } error)
            {
                problems.Add($"stream {i}: {error}");
            }
        }

        var messages = drivers.Sum(d => d.Messages);
        var payloadBytes = partitions.Sum(p => p.Sum(b => (long)b.Length));
        return new EchoCeilingResult
        {
            Streams = streams,
            Window = window,
            Batch = batch,
            Messages = messages,
            AverageMessageBytes = messages == 0 ? 0 : (double)payloadBytes / messages,
            OfferedRate = offeredRate,
            Sent = drivers.Sum(d => d.Sent),
            Echoed = drivers.Sum(d => d.Echoed),
            Elapsed = clock.Elapsed,
            Latency = LatencySummary.From(latency),
            ScheduledLatency = offeredRate is null ? null : LatencySummary.From(scheduled),
            Problems = problems,
        };
    }

    /// <summary>
    /// Starts an echo server in this process, measures the ceiling against it, and stops it. The
    /// first <paramref name="warmup"/> touchpoints of the workload go through first, untimed, so
    /// that the freshly started server runs warm as the engine's does; a warm-up that is not
    /// echoed cleanly is the result.
    /// </summary>
    public static async Task<EchoCeilingResult> MeasureAsync(
        IngestWorkload workload, int streams, int window, int batch, double? offeredRate, int warmup, CancellationToken cancellationToken)
    {
        await using var server = await EchoServer.StartAsync(cancellationToken: cancellationToken);
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.Address);
        var client = new TouchpointEcho.TouchpointEchoClient(channel);
        if (warmup > 0)
        {
            var first = new IngestWorkload(workload.CustomerCount, [.. workload.Touchpoints.Take(warmup)]);
            var warmed = await new EchoCeiling(client, streams, window, batch).RunAsync(first, cancellationToken);
            if (!warmed.Clean)
            {
                return warmed;
            }
        }

        return await new EchoCeiling(client, streams, window, batch, offeredRate).RunAsync(workload, cancellationToken);
    }
}

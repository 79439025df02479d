using System.Collections.Concurrent;
using Customer360.Api.V1;
using Customer360.LoadTest.Workload;
using Grpc.Core;
using HdrHistogram;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// Drives one <c>StreamTouchpoints</c> call through <see cref="WindowedStreamCall{TRequest, TResponse}"/>:
/// a writer loop sends touchpoints while a reader loop takes the acks, with at most <c>window</c>
/// touchpoints un-acknowledged at any time. The server acks in the order it received, so the
/// oldest pending send is always the one an ack answers, and the time between the two is the
/// touchpoint's durable latency (acks leave the server only after the commit).
/// </summary>
/// <remarks>
/// With <c>batch</c> above 1 a message carries several touchpoints, as a point-of-sale system
/// forwarding a store's tills would send them, and the acks come back several to a message
/// (<c>StreamTouchpointBatches</c>): the first waits for its turn and a window slot,
/// and more join it only while they are ready at once (due, with a free slot). A message never
/// waits to fill up, so batching adds no latency of its own.
/// <para>
/// A stream the server refuses for now as it opens (beyond its <c>MaxTouchpointStreams</c>, or
/// with no token of the API key's rate limit left) is opened again after the wait it asks for
/// (see <see cref="WindowedStreamCall{TRequest, TResponse}"/>), and its touchpoints sent again
/// first, each still due when it first was: what the refused stream noted as sent is forgotten,
/// and every touchpoint is counted from the ack of the stream that took it.
/// </para>
/// </remarks>
/// <param name="refused">Told of each refusal waited out, with the wait before the stream is opened again.</param>
/// <param name="longestRefusal">How long in all the stream waits out refusals before it fails (<see cref="Customer360.Clients.RetryPushback.DefaultLongestInAll"/>).</param>
internal sealed class TouchpointStream(
    CustomerService.CustomerServiceClient client,
    int window,
    int batch,
    OfferedRatePacer? pacer,
    PhaseClock clock,
    IAckObserver? observer = null,
    Action<RpcException, TimeSpan>? refused = null,
    TimeSpan? longestRefusal = null)
{
    public StreamTally Tally { get; } = new();

    /// <summary>From each send to its ack, in microseconds.</summary>
    public LongHistogram AckLatency { get; } = LatencySummary.CreateHistogram();

    /// <summary>From each send's due time under <see cref="OfferedRatePacer"/> to its ack; empty without one.</summary>
    public LongHistogram ScheduledLatency { get; } = LatencySummary.CreateHistogram();

    public async Task RunAsync(IReadOnlyList<WorkloadTouchpoint> touchpoints, CancellationToken cancellationToken)
    {
        if (touchpoints.Count == 0)
        {
            return;
        }

        var pending = new ConcurrentQueue<InFlight>();
        Tally.Error = BatchesAcks(batch)
            ? await RunOnAsync(
                ct => client.StreamTouchpointBatches(cancellationToken: ct),
                touchpoints,
                pending,
                (acks, receivedAt) => acks.Acks.Sum(ack => Answer(ack, receivedAt, pending)),
                cancellationToken)
            : await RunOnAsync(
                ct => client.StreamTouchpoints(cancellationToken: ct),
                touchpoints,
                pending,
                (ack, receivedAt) => Answer(ack, receivedAt, pending),
                cancellationToken);

        if (Tally.Error is null && Tally.Unacknowledged > 0)
        {
            Tally.Error = $"the server ended the stream with {Tally.Unacknowledged:N0} touchpoint(s) unacknowledged";
        }
    }

    /// <summary>A sender that batches its touchpoints takes its acks batched too, as a gateway would.</summary>
    public static bool BatchesAcks(int batch) => batch > 1;

    /// <summary>The RPC a stream of this batching uses, as reports name it.</summary>
    public static string RpcFor(int batch) => BatchesAcks(batch) ? "StreamTouchpointBatches" : "StreamTouchpoints";

    private async Task<string?> RunOnAsync<TResponse>(
        Func<CancellationToken, AsyncDuplexStreamingCall<StreamTouchpointsRequest, TResponse>> open,
        IReadOnlyList<WorkloadTouchpoint> touchpoints,
        ConcurrentQueue<InFlight> pending,
        Func<TResponse, long, int> answer,
        CancellationToken cancellationToken)
    {
        var stream = new WindowedStreamCall<StreamTouchpointsRequest, TResponse>(window, batch, pacer, longestRefusal);
        return await stream.RunAsync(
            open,
            touchpoints.Count,
            (first, dues, sentAt) => Compose(touchpoints, first, dues, sentAt, pending),
            answer,
            (refusal, wait) =>
            {
                // A stream is opened again only if it never had an ack, and both loops have ended:
                // all it noted as sent went to refused calls, which applied none of it. It is sent
                // again from the first touchpoint.
                Tally.Sent = 0;
                Tally.Messages = 0;
                pending.Clear();
                Tally.RefusalsWaitedOut++;
                refused?.Invoke(refusal, wait);
            },
            cancellationToken);
    }

    /// <summary>One message with the touchpoints [first, first + dues.Count), each noted as waiting for its ack.</summary>
    private StreamTouchpointsRequest Compose(IReadOnlyList<WorkloadTouchpoint> touchpoints, int first, IReadOnlyList<long> dues, long sentAt, ConcurrentQueue<InFlight> pending)
    {
        var message = new StreamTouchpointsRequest();
        if (dues.Count == 1)
        {
            message.Touchpoint = touchpoints[first].Message;
        }

        clock.MarkSend(sentAt);
        for (var i = 0; i < dues.Count; i++)
        {
            var touchpoint = touchpoints[first + i];
            if (dues.Count > 1)
            {
                message.Touchpoints.Add(touchpoint.Message);
            }

            // A turn may come a little before it is due (the pacer does not sleep for less than
            // a timer tick): latency is then counted from the send, never from after it.
            pending.Enqueue(new InFlight(touchpoint.EventId, sentAt, Math.Min(dues[i], sentAt)));
        }

        Tally.Sent += dues.Count;
        Tally.Messages++;
        return message;
    }

    /// <summary>Takes one ack: it answers the oldest pending touchpoint.</summary>
    private int Answer(TouchpointAck ack, long receivedAt, ConcurrentQueue<InFlight> pending)
    {
        if (!pending.TryDequeue(out var sent))
        {
            throw new EngineStreamException($"the server acknowledged event '{ack.EventId}' that was never sent");
        }

        if (ack.EventId.Length > 0 && ack.EventId != sent.EventId)
        {
            throw new EngineStreamException($"acknowledgement out of order: expected event '{sent.EventId}', got '{ack.EventId}'");
        }

        LatencySummary.Record(AckLatency, sent.SentAt, receivedAt);
        if (pacer is not null)
        {
            LatencySummary.Record(ScheduledLatency, sent.DueAt, receivedAt);
        }

        Tally.Answered.Add(sent.EventId);
        observer?.Acknowledged(sent.EventId, ack, receivedAt);
        switch (ack.Status)
        {
            case AckStatus.Accepted:
                Tally.Accepted++;
                Tally.Applied.Add(sent.EventId);
                break;
            case AckStatus.Duplicate:
                Tally.Duplicate++;
                Tally.Applied.Add(sent.EventId);
                break;
            default:
                Tally.Rejected++;
                if (Tally.RejectionReasons.Count < StreamTally.RejectionSamples)
                {
                    var field = ack.Field.Length > 0 ? $" [{ack.Field}]" : string.Empty;
                    Tally.RejectionReasons.Add($"{sent.EventId}: {ack.Status}{field} {ack.Reason}");
                }

                break;
        }

        // The live progress shows the same latency the report leads with: from the due time at an
        // offered rate, else from the send.
        clock.MarkAck(receivedAt, pacer is null ? sent.SentAt : sent.DueAt, rejected: ack.Status is not (AckStatus.Accepted or AckStatus.Duplicate));
        return 1;
    }

    /// <param name="SentAt">When the touchpoint was handed to the stream (<see cref="Stopwatch"/> timestamp).</param>
    /// <param name="DueAt">When the offered-rate schedule wanted it sent; the same as <paramref name="SentAt"/> without one.</param>
    private readonly record struct InFlight(string EventId, long SentAt, long DueAt);
}

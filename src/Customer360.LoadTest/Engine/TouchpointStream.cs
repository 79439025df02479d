using System.Collections.Concurrent;
using System.Diagnostics;
using Customer360.Api.V1;
using Customer360.LoadTest.Workload;
using Grpc.Core;
using HdrHistogram;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// Drives one <c>StreamTouchpoints</c> call: a writer loop sends touchpoints while a reader loop
/// takes the acks, with at most <c>window</c> touchpoints un-acknowledged at any time. The server
/// acks in the order it received, so the oldest pending send is always the one an ack answers,
/// and the time between the two is the touchpoint's durable latency (acks leave the server only
/// after the commit).
/// </summary>
/// <remarks>
/// With <c>batch</c> above 1 a message carries several touchpoints, as a point-of-sale system
/// forwarding a store's tills would send them: the first waits for its turn and a window slot,
/// and more join it only while they are ready at once (due, with a free slot). A message never
/// waits to fill up, so batching adds no latency of its own.
/// </remarks>
internal sealed class TouchpointStream(CustomerService.CustomerServiceClient client, int window, int batch, OfferedRatePacer? pacer, PhaseClock clock, IAckObserver? observer = null)
{
    /// <summary>How long a broken send waits for the reader to learn the call's status.</summary>
    private static readonly TimeSpan ReaderGrace = TimeSpan.FromSeconds(5);

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

        using var call = client.StreamTouchpoints(cancellationToken: cancellationToken);
        using var slots = new SemaphoreSlim(window, window);
        using var readerEnded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = new ConcurrentQueue<InFlight>();

        var reader = Task.Run(
            async () =>
            {
                try
                {
                    await ReadAcksAsync(call.ResponseStream, pending, slots, cancellationToken);
                }
                finally
                {
                    // Wakes the writer if it waits for a slot that will never free up.
                    await readerEnded.CancelAsync();
                }
            },
            CancellationToken.None);

        try
        {
            var dues = new List<long>(batch);
            var next = 0;
            while (next < touchpoints.Count)
            {
                dues.Clear();
                var first = next;
                dues.Add(pacer is null ? 0 : await pacer.WaitForTurnAsync(readerEnded.Token));
                await slots.WaitAsync(readerEnded.Token);
                next++;
                while (dues.Count < batch && next < touchpoints.Count && slots.Wait(0))
                {
                    var due = 0L;
                    if (pacer is not null && !pacer.TryTakeDueTurn(out due))
                    {
                        slots.Release();
                        break;
                    }

                    dues.Add(due);
                    next++;
                }

                var message = new StreamTouchpointsRequest();
                if (dues.Count == 1)
                {
                    message.Touchpoint = touchpoints[first].Message;
                }

                var sentAt = Stopwatch.GetTimestamp();
                clock.MarkSend(sentAt);
                for (var i = 0; i < dues.Count; i++)
                {
                    var touchpoint = touchpoints[first + i];
                    if (dues.Count > 1)
                    {
                        message.Touchpoints.Add(touchpoint.Message);
                    }

                    pending.Enqueue(new InFlight(touchpoint.EventId, sentAt, pacer is null ? sentAt : dues[i]));
                }

                Tally.Sent += dues.Count;
                Tally.Messages++;
                await call.RequestStream.WriteAsync(message);
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The call broke under the writer; the reader holds the reason (the call's status).
            if (await Task.WhenAny(reader, Task.Delay(ReaderGrace, CancellationToken.None)) != reader)
            {
                Tally.Error ??= $"sending failed: {ex.Message}";
            }
        }

        try
        {
            await reader;
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Tally.Error ??= $"stream failed with {ex.StatusCode}: {ex.Status.Detail}";
        }
        catch (EngineStreamException ex)
        {
            Tally.Error ??= ex.Message;
        }

        if (Tally.Error is null && Tally.Unacknowledged > 0)
        {
            Tally.Error = $"the server ended the stream with {Tally.Unacknowledged:N0} touchpoint(s) unacknowledged";
        }
    }

    private async Task ReadAcksAsync(
        IAsyncStreamReader<TouchpointAck> acks,
        ConcurrentQueue<InFlight> pending,
        SemaphoreSlim slots,
        CancellationToken cancellationToken)
    {
        while (await acks.MoveNext(cancellationToken))
        {
            var receivedAt = Stopwatch.GetTimestamp();
            var ack = acks.Current;
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

            clock.MarkAck(receivedAt);
            slots.Release();
        }
    }

    /// <param name="SentAt">When the touchpoint was handed to the stream (<see cref="Stopwatch"/> timestamp).</param>
    /// <param name="DueAt">When the offered-rate schedule wanted it sent; the same as <paramref name="SentAt"/> without one.</param>
    private readonly record struct InFlight(string EventId, long SentAt, long DueAt);
}

/// <summary>The stream broke its promise of one acknowledgement per touchpoint, in order.</summary>
internal sealed class EngineStreamException(string message) : Exception(message);

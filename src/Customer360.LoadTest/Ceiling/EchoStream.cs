using System.Collections.Concurrent;
using Customer360.LoadTest.Ceiling.Wire;
using Customer360.LoadTest.Engine;
using Google.Protobuf;
using HdrHistogram;

namespace Customer360.LoadTest.Ceiling;

/// <summary>
/// Drives one <c>Echo</c> call exactly as <see cref="TouchpointStream"/> drives
/// <c>StreamTouchpoints</c> (the same <see cref="WindowedStreamCall{TRequest, TResponse}"/>), and
/// holds every echo to what was sent: each frame must come back once, in order, with the same
/// touchpoint bytes. The first echo that does not breaks the stream and fails the run.
/// </summary>
internal sealed class EchoStream(TouchpointEcho.TouchpointEchoClient client, int window, int batch, OfferedRatePacer? pacer, PhaseClock clock)
{
    /// <summary>Touchpoints sent, over <see cref="Messages"/> frames.</summary>
    public int Sent { get; private set; }

    public int Messages { get; private set; }

    /// <summary>Touchpoints that came back intact.</summary>
    public int Echoed { get; private set; }

    /// <summary>Why the stream ended early or an echo was wrong, if either happened.</summary>
    public string? Error { get; private set; }

    /// <summary>From each touchpoint's send to its echo, in microseconds.</summary>
    public LongHistogram Latency { get; } = LatencySummary.CreateHistogram();

    /// <summary>From each touchpoint's due time under <see cref="OfferedRatePacer"/> to its echo; empty without one.</summary>
    public LongHistogram ScheduledLatency { get; } = LatencySummary.CreateHistogram();

    /// <param name="touchpoints">The serialized touchpoints this stream sends, in order.</param>
    public async Task RunAsync(IReadOnlyList<ByteString> touchpoints, CancellationToken cancellationToken)
    {
        if (touchpoints.Count == 0)
        {
            return;
        }

        var pending = new ConcurrentQueue<SentFrame>();
        var stream = new WindowedStreamCall<EchoFrame, EchoFrame>(window, batch, pacer);
        Error = await stream.RunAsync(
            ct => client.Echo(cancellationToken: ct),
            touchpoints.Count,
            (first, dues, sentAt) => Compose(touchpoints, first, dues, sentAt, pending),
            (echo, receivedAt) => Check(touchpoints, echo, receivedAt, pending),
            // The echo service refuses nothing for now: a failed echo fails the stream.
            refused: null,
            cancellationToken);

        if (Error is null && Echoed < Sent)
        {
            Error = $"the echo service ended the stream with {Sent - Echoed:N0} touchpoint(s) not echoed";
        }
    }

    private EchoFrame Compose(IReadOnlyList<ByteString> touchpoints, int first, IReadOnlyList<long> dues, long sentAt, ConcurrentQueue<SentFrame> pending)
    {
        var frame = new EchoFrame { Sequence = first };
        for (var i = 0; i < dues.Count; i++)
        {
            frame.Touchpoints.Add(touchpoints[first + i]);
        }

        clock.MarkSend(sentAt);
        pending.Enqueue(new SentFrame(first, dues.Count, sentAt, pacer is null ? null : [.. dues]));
        Sent += dues.Count;
        Messages++;
        return frame;
    }

    /// <summary>Takes one echo: it must be the oldest frame not yet echoed, byte for byte.</summary>
    private int Check(IReadOnlyList<ByteString> touchpoints, EchoFrame echo, long receivedAt, ConcurrentQueue<SentFrame> pending)
    {
        if (!pending.TryDequeue(out var sent))
        {
            throw new EngineStreamException($"echo of the frame at {echo.Sequence} that was not sent, or was echoed before");
        }

        if (echo.Sequence != sent.First)
        {
            throw new EngineStreamException($"echo out of order: expected the frame at {sent.First}, got the one at {echo.Sequence} (a frame lost or doubled)");
        }

        if (echo.Touchpoints.Count != sent.Count)
        {
            throw new EngineStreamException($"echo of the frame at {sent.First} holds {echo.Touchpoints.Count} touchpoint(s), not {sent.Count}");
        }

        for (var i = 0; i < sent.Count; i++)
        {
            if (!echo.Touchpoints[i].Span.SequenceEqual(touchpoints[sent.First + i].Span))
            {
                throw new EngineStreamException($"echo of touchpoint {sent.First + i} came back altered");
            }

            LatencySummary.Record(Latency, sent.SentAt, receivedAt);
            if (sent.Dues is { } dues)
            {
                LatencySummary.Record(ScheduledLatency, dues[i], receivedAt);
            }
        }

        Echoed += sent.Count;
        clock.MarkAck(receivedAt);
        return sent.Count;
    }

    /// <param name="First">The frame's first touchpoint, as an index into the stream's touchpoints.</param>
    /// <param name="Dues">Each touchpoint's due time under the pacer; null without one.</param>
    private readonly record struct SentFrame(int First, int Count, long SentAt, long[]? Dues);
}

using System.Threading.Channels;
using Customer360.Api.V1;
using Grpc.Core;

namespace Customer360.Cli.Tests;

/// <summary>
/// An in-memory stand-in for the server side of StreamTouchpoints. It holds back acks until it
/// has <c>batch</c> touchpoints (or the client finishes), so a client that keeps a window of
/// touchpoints in flight can be seen filling it, and one that sends too many can be caught.
/// With a <c>refusal</c> it ends the call with it, as the server refuses a stream: at once, or
/// after <c>stopAfter</c> acks.
/// </summary>
internal sealed class FakeTouchpointStream : IClientStreamWriter<StreamTouchpointsRequest>, IAsyncStreamReader<TouchpointAck>
{
    private readonly Channel<StreamTouchpointsRequest> _requests = System.Threading.Channels.Channel.CreateUnbounded<StreamTouchpointsRequest>();
    private readonly Channel<TouchpointAck> _acks = System.Threading.Channels.Channel.CreateUnbounded<TouchpointAck>();
    private readonly Func<Touchpoint, TouchpointAck> _decide;
    private readonly int? _stopAfter;
    private readonly RpcException? _refusal;
    private int _written;
    private int _acked;

    public FakeTouchpointStream(int batch, Func<Touchpoint, TouchpointAck> decide, int? stopAfter = null, RpcException? refusal = null)
    {
        _decide = decide;
        _stopAfter = stopAfter;
        _refusal = refusal;
        Server = Task.Run(() => ServeAsync(batch));
    }

    /// <summary>
    /// A stream that ends with RESOURCE_EXHAUSTED and a wait of <paramref name="pushbackMs"/>
    /// once it has received <paramref name="afterReceiving"/> touchpoints: without acknowledging
    /// any, as the server refuses a stream as it opens, or <paramref name="acking"/> each.
    /// </summary>
    public static FakeTouchpointStream Refusing(string pushbackMs, int afterReceiving = 0, bool acking = false) =>
        new(batch: acking ? 1 : int.MaxValue, _ => new TouchpointAck { Status = AckStatus.Accepted }, afterReceiving, Refusal(pushbackMs));

    public static RpcException Refusal(string pushbackMs) => new(
        new Status(StatusCode.ResourceExhausted, "this server has as many touchpoint streams open as it allows"),
        new Metadata { { "grpc-retry-pushback-ms", pushbackMs } });

    /// <summary>This stream as the call a client opens.</summary>
    public AsyncDuplexStreamingCall<StreamTouchpointsRequest, TouchpointAck> Open(CancellationToken cancellationToken) =>
        new(this, this, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });

    /// <summary>Opens <paramref name="streams"/> one after the other, as a client opening a stream again is given a new one.</summary>
    public static Func<CancellationToken, AsyncDuplexStreamingCall<StreamTouchpointsRequest, TouchpointAck>> OneAfterTheOther(params FakeTouchpointStream[] streams)
    {
        var opened = 0;
        return cancellationToken => opened < streams.Length
            ? streams[opened++].Open(cancellationToken)
            : throw new InvalidOperationException($"opened a stream more than {streams.Length} times");
    }

    public Task Server { get; }

    public int MaxInFlight { get; private set; }

    public List<string> Received { get; } = [];

    public TouchpointAck Current { get; private set; } = new();

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(StreamTouchpointsRequest message)
    {
        var inFlight = Interlocked.Increment(ref _written) - Volatile.Read(ref _acked);
        MaxInFlight = Math.Max(MaxInFlight, inFlight);
        return _requests.Writer.TryWrite(message) ? Task.CompletedTask : throw new InvalidOperationException("the call is complete");
    }

    public Task CompleteAsync()
    {
        _requests.Writer.TryComplete();
        return Task.CompletedTask;
    }

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (!await _acks.Reader.WaitToReadAsync(cancellationToken))
        {
            return false;
        }

        Current = await _acks.Reader.ReadAsync(cancellationToken);
        return true;
    }

    private async Task ServeAsync(int batch)
    {
        var held = new List<TouchpointAck>();
        long sequence = 0;
        if (_stopAfter == 0)
        {
            End();
            return;
        }

        await foreach (var request in _requests.Reader.ReadAllAsync())
        {
            Received.Add(request.Touchpoint.EventId);
            var ack = _decide(request.Touchpoint);
            ack.EventId = request.Touchpoint.EventId;
            ack.Sequence = sequence++;
            held.Add(ack);
            if (held.Count >= batch)
            {
                Flush(held);
            }

            if (_stopAfter is { } stop && sequence >= stop)
            {
                // The server ends the call early, as a restart or a deadline would.
                End();
                return;
            }
        }

        Flush(held);
        _acks.Writer.TryComplete();
    }

    /// <summary>Ends the call: later writes fail, and the reader sees the end, or the refusal.</summary>
    private void End()
    {
        _requests.Writer.TryComplete();
        _acks.Writer.TryComplete(_refusal);
    }

    private void Flush(List<TouchpointAck> held)
    {
        foreach (var ack in held)
        {
            Interlocked.Increment(ref _acked);
            _acks.Writer.TryWrite(ack);
        }

        held.Clear();
    }
}

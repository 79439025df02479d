using System.Threading.Channels;
using Customer360.Api.V1;
using Grpc.Core;

namespace Customer360.Cli.Tests;

/// <summary>
/// An in-memory stand-in for the server side of StreamTouchpoints. It holds back acks until it
/// has <c>batch</c> touchpoints (or the client finishes), so a client that keeps a window of
/// touchpoints in flight can be seen filling it, and one that sends too many can be caught.
/// </summary>
internal sealed class FakeTouchpointStream : IClientStreamWriter<StreamTouchpointsRequest>, IAsyncStreamReader<TouchpointAck>
{
    private readonly Channel<StreamTouchpointsRequest> _requests = System.Threading.Channels.Channel.CreateUnbounded<StreamTouchpointsRequest>();
    private readonly Channel<TouchpointAck> _acks = System.Threading.Channels.Channel.CreateUnbounded<TouchpointAck>();
    private readonly Func<Touchpoint, TouchpointAck> _decide;
    private readonly int? _stopAfter;
    private int _written;
    private int _acked;

    public FakeTouchpointStream(int batch, Func<Touchpoint, TouchpointAck> decide, int? stopAfter = null)
    {
        _decide = decide;
        _stopAfter = stopAfter;
        Server = Task.Run(() => ServeAsync(batch));
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
                _requests.Writer.TryComplete();
                _acks.Writer.TryComplete();
                return;
            }
        }

        Flush(held);
        _acks.Writer.TryComplete();
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

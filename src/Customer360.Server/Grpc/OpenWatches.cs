using Grpc.Core;

namespace Customer360.Server.Grpc;

/// <summary>
/// Counts the watches (<c>WatchCustomer</c>, <c>WatchSegment</c>) this server has open, and
/// refuses one beyond <c>Customer360:Grpc:MaxWatches</c> with RESOURCE_EXHAUSTED. Each watch
/// holds a waiting call to its grain and a stream; the cap keeps a flood of screens, or a client
/// that opens watches in a loop, from taking the memory and the threads the tills need.
/// </summary>
public sealed class OpenWatches(int max)
{
    private int _open;

    public int Max { get; } = max;

    public int Open => Volatile.Read(ref _open);

    /// <summary>Counts one more watch until the returned handle is disposed, or refuses it when <see cref="Max"/> are open.</summary>
    public IDisposable Enter()
    {
        if (Interlocked.Increment(ref _open) > Max)
        {
            Interlocked.Decrement(ref _open);
            throw new RpcException(new Status(
                StatusCode.ResourceExhausted,
                $"this server has as many watches open as Customer360:Grpc:MaxWatches allows ({Max:N0}); retry later, or watch through another server"));
        }

        return new Handle(this);
    }

    private sealed class Handle(OpenWatches owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref owner._open);
            }
        }
    }
}

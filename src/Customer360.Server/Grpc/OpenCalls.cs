using Customer360.Grains.Diagnostics;
using Grpc.Core;

namespace Customer360.Server.Grpc;

/// <summary>
/// Counts the long-lived calls of one kind this server has open, and refuses one beyond its cap
/// with RESOURCE_EXHAUSTED as it opens. Each such call holds memory and a place in the server's
/// machinery for as long as it lasts; the cap keeps a client that opens them in a loop from
/// taking what every other client needs.
/// </summary>
public abstract class OpenCalls(int max, Customer360Metrics metrics)
{
    private int _open;

    public int Max { get; } = max;

    public int Open => Volatile.Read(ref _open);

    /// <summary>The refusal's detail, naming the setting and its limit.</summary>
    protected abstract string Refusal { get; }

    /// <summary>The kind of call, as <c>customer360.api.capped</c> counts its refusals.</summary>
    protected abstract string Call { get; }

    /// <summary>Counts one more call until the returned handle is disposed, or refuses it when <see cref="Max"/> are open.</summary>
    public IDisposable Enter()
    {
        if (Interlocked.Increment(ref _open) > Max)
        {
            Interlocked.Decrement(ref _open);
            metrics.Capped(Call);
            throw new RpcException(new Status(StatusCode.ResourceExhausted, Refusal));
        }

        return new Handle(this);
    }

    private sealed class Handle(OpenCalls owner) : IDisposable
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

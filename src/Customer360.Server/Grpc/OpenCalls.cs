using Customer360.Grains.Diagnostics;
using Customer360.Server.Security;
using Grpc.Core;

namespace Customer360.Server.Grpc;

/// <summary>
/// Counts the long-lived calls of one kind this server has open, and refuses one beyond its cap
/// with RESOURCE_EXHAUSTED as it opens. Each such call holds memory and a place in the server's
/// machinery for as long as it lasts; the cap keeps a client that opens them in a loop from
/// taking what every other client needs. A refusal carries <c>grpc-retry-pushback-ms</c>, as a
/// key's rate limit does, so that a client can tell it is worth waiting out.
/// </summary>
public abstract class OpenCalls(int max, Customer360Metrics metrics)
{
    /// <summary>
    /// How long a refused client is asked to wait. A place frees only when another call ends,
    /// which the server cannot foresee: a second is long enough that a fleet reconnecting after
    /// an outage does not hammer the server with opens it must refuse, and short enough that a
    /// till or a screen is back soon after a place frees.
    /// </summary>
    public const int RetryPushbackMs = 1000;

    private static readonly string RetryPushback = RetryPushbackMs.ToString(System.Globalization.CultureInfo.InvariantCulture);

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
            throw new RpcException(
                new Status(StatusCode.ResourceExhausted, Refusal),
                new Metadata { { ApiKeyInterceptor.RetryPushbackTrailer, RetryPushback } });
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

using Customer360.Server.Security;
using Grpc.Core;

namespace Customer360.Server.Grpc;

/// <summary>
/// Long-lived calls (watches, till streams) end when the server begins to stop, instead of
/// holding the shutdown open until its time-out, which would cut the silo's graceful stop
/// short. Clients get UNAVAILABLE and reconnect, to this server once it is back or to another.
/// Watches are counted against the server's cap (<see cref="OpenWatches"/>) while they are open.
/// </summary>
public sealed class ServerShutdown(IHostApplicationLifetime lifetime, OpenWatches watches)
{
    public CancellationToken Stopping => lifetime.ApplicationStopping;

    /// <summary>
    /// A token cancelled when the client cancels the call, the server begins to stop, or the
    /// call's API key is removed (<see cref="KeyRevocation"/>).
    /// </summary>
    public CancellationTokenSource CallOrShutdown(ServerCallContext context) =>
        KeyRevocation.Of(context) is { } revocation
            ? CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping, revocation.Token)
            : CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);

    public RpcException ShuttingDown() =>
        new(new Status(StatusCode.Unavailable, "the server is shutting down; reconnect"));

    /// <summary>
    /// Serves a watch: sends <paramref name="current"/>, then each newer value that
    /// <paramref name="waitForChange"/> (a bounded long-poll, null when nothing changed)
    /// returns, until the client cancels or the server stops. Refused with RESOURCE_EXHAUSTED
    /// when the server has as many watches open as it allows.
    /// </summary>
    public async Task WatchAsync<T, TVersion>(
        ServerCallContext context,
        Func<Task<T>> first,
        Func<T, TVersion> versionOf,
        Func<TVersion, CancellationToken, Task<T?>> waitForChange,
        Func<T, CancellationToken, Task> send)
        where T : class
        where TVersion : IComparable<TVersion>
    {
        // Counted before the first read, so that a watch beyond the cap costs nothing.
        using var counted = watches.Enter();
        var current = await first();
        using var watching = CallOrShutdown(context);
        var cancellation = watching.Token;
        try
        {
            await send(current, cancellation);
            var known = versionOf(current);
            while (true)
            {
                var next = await waitForChange(known, cancellation);
                cancellation.ThrowIfCancellationRequested();
                if (next is not null && versionOf(next).CompareTo(known) > 0)
                {
                    await send(next, cancellation);
                    known = versionOf(next);
                }
            }
        }
        catch (Exception) when (KeyRevocation.Of(context)?.Reason is { } revoked && !context.CancellationToken.IsCancellationRequested)
        {
            throw revoked;
        }
        catch (Exception) when (Stopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw ShuttingDown();
        }
    }
}

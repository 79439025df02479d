using Customer360.Server.Security;
using Grpc.Core;

namespace Customer360.Server.Grpc;

/// <summary>
/// Long-lived calls (watches, till streams) end when the server begins to stop, instead of
/// holding the shutdown open until its time-out, which would cut the silo's graceful stop
/// short. Clients get UNAVAILABLE and reconnect, to this server once it is back or to another.
/// Watches are counted against the server's cap (<see cref="OpenWatches"/>) while they are open;
/// touchpoint streams against theirs (<see cref="OpenTouchpointStreams"/>), in CustomerApi.
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

    /// <summary>First wait before asking again after a watched grain could not be reached; it doubles up to <see cref="LongestWatchRetry"/>.</summary>
    private static readonly TimeSpan FirstWatchRetry = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan LongestWatchRetry = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Serves a watch: sends the value <paramref name="first"/> reads, then each newer value that
    /// <paramref name="waitForChange"/> (a bounded long-poll, null when nothing changed)
    /// returns, until the client cancels or the server stops. Refused with RESOURCE_EXHAUSTED
    /// when the server has as many watches open as it allows.
    /// </summary>
    /// <remarks>
    /// The watched grain may live on another silo. When it cannot be reached for a while (its
    /// silo died, the store is out of reach: what a client would be told to retry), the watch
    /// asks again, reading the value afresh from wherever the grain lives now, and goes on; it
    /// sends that value if it is newer than the last one sent. A value older than that one (state
    /// that moved with less than the watch showed) ends the watch with UNAVAILABLE instead, so
    /// that no watch ever goes back a version and the client opens a new one.
    /// </remarks>
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
                T? next;
                try
                {
                    next = await waitForChange(known, cancellation);
                }
                catch (Exception ex) when (IsTransient(ex) && !cancellation.IsCancellationRequested)
                {
                    next = await ReadAgainAsync(first, cancellation);
                    if (versionOf(next).CompareTo(known) < 0)
                    {
                        throw new RpcException(new Status(StatusCode.Unavailable, "the watched state moved and is being restored; watch again"));
                    }
                }

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

    /// <summary>Reads a watched value again after its grain could not be reached, waiting longer each time it still cannot be.</summary>
    private static async Task<T> ReadAgainAsync<T>(Func<Task<T>> read, CancellationToken cancellation)
    {
        var wait = FirstWatchRetry;
        while (true)
        {
            await Task.Delay(wait, cancellation);
            try
            {
                return await read();
            }
            catch (Exception ex) when (IsTransient(ex) && !cancellation.IsCancellationRequested)
            {
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LongestWatchRetry.Ticks));
            }
        }
    }

    /// <summary>A failure below the API that a client would be told to retry (UNAVAILABLE): a silo gone, a time-out, the store out of reach.</summary>
    private static bool IsTransient(Exception ex) =>
        ex is not (RpcException or OperationCanceledException)
        && ErrorMappingInterceptor.ToStatus(ex).StatusCode == StatusCode.Unavailable;
}

using Grpc.Core;

namespace Customer360.Server.Grpc;

/// <summary>
/// Long-lived calls (watches, till streams) end when the server begins to stop, instead of
/// holding the shutdown open until its time-out, which would cut the silo's graceful stop
/// short. Clients get UNAVAILABLE and reconnect, to this server once it is back or to another.
/// </summary>
public sealed class ServerShutdown(IHostApplicationLifetime lifetime)
{
    public CancellationToken Stopping => lifetime.ApplicationStopping;

    /// <summary>A token cancelled when either the client cancels the call or the server begins to stop.</summary>
    public CancellationTokenSource CallOrShutdown(ServerCallContext context) =>
        CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);

    public RpcException ShuttingDown() =>
        new(new Status(StatusCode.Unavailable, "the server is shutting down; reconnect"));
}

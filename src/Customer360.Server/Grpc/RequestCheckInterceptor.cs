using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Customer360.Server.Grpc;

/// <summary>
/// Checks the one request of a unary call or a watch before the call does anything with it, and
/// refuses the call by throwing. Stream messages are checked one by one where they are taken.
/// </summary>
public abstract class RequestCheckInterceptor : Interceptor
{
    /// <summary>Throws to refuse the call; returns to let it through.</summary>
    protected abstract void Check(object request);

    public sealed override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(request);
        return continuation(request, context);
    }

    public sealed override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(request);
        return continuation(request, responseStream, context);
    }
}

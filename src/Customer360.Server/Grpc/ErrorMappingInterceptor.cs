using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Customer360.Server.Grpc;

/// <summary>
/// Turns failures below the API (silo unavailable, storage errors, time-outs) into gRPC
/// statuses a client can act on, instead of an opaque UNKNOWN. Validation errors are already
/// <see cref="RpcException"/>s and pass through.
/// </summary>
public sealed class ErrorMappingInterceptor(ApiFailureLog failures) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw Map(ex, context);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (ex is not RpcException && !context.CancellationToken.IsCancellationRequested)
        {
            throw Map(ex, context);
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception ex) when (ex is not RpcException && !context.CancellationToken.IsCancellationRequested)
        {
            throw Map(ex, context);
        }
    }

    /// <summary>The status a failure below the API maps to.</summary>
    public static Status ToStatus(Exception ex) => ex switch
    {
        RpcException rpc => rpc.Status,
        TimeoutException => new Status(StatusCode.Unavailable, "the engine did not answer in time; retry"),
        OperationCanceledException => new Status(StatusCode.Cancelled, "cancelled"),
        Grains.Storage.CustomerStoreUnavailableException => new Status(StatusCode.Unavailable, "the customer store is unavailable; retry (a retry is never counted twice)"),
        Orleans.Storage.InconsistentStateException => new Status(StatusCode.Aborted, "a concurrent change won; retry"),
        OrleansException => new Status(StatusCode.Unavailable, "the engine is temporarily unavailable; retry"),
        _ => new Status(StatusCode.Internal, "internal error"),
    };

    private RpcException Map(Exception ex, ServerCallContext context)
    {
        var status = ToStatus(ex);
        failures.CallFailed(ex, CallMethods.NameOf(context), status.StatusCode);
        return new RpcException(status);
    }
}

using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Customer360.Server.Security;

/// <summary>
/// Lets a call to the Customer360 services through only if it carries a configured API key
/// (<c>authorization: Bearer &lt;key&gt;</c>) whose roles may call the method; otherwise it
/// fails with UNAUTHENTICATED (no key, or an unknown one) or PERMISSION_DENIED (a known key
/// without the role), before the call does anything. Streams are checked once, as they open.
/// </summary>
public sealed partial class ApiKeyInterceptor(ApiKeys keys, ILogger<ApiKeyInterceptor> logger) : Interceptor
{
    public const string Header = "authorization";
    private const string Scheme = "Bearer ";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authorize(ServerCallContext context)
    {
        if (!keys.Required || !ApiRoles.Guards(context.Method))
        {
            return;
        }

        var header = context.RequestHeaders.GetValue(Header);
        if (header is null)
        {
            throw Refuse(context, StatusCode.Unauthenticated, $"{Header}: an API key is required; send '{Header}: Bearer <key>'", caller: null);
        }

        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || header.Length == Scheme.Length)
        {
            throw Refuse(context, StatusCode.Unauthenticated, $"{Header}: expected 'Bearer <key>'", caller: null);
        }

        var caller = keys.Find(header[Scheme.Length..].Trim())
            ?? throw Refuse(context, StatusCode.Unauthenticated, $"{Header}: unknown API key", caller: null);
        var allowed = ApiRoles.AllowedFor(context.Method);
        if (!allowed.Any(caller.Roles.Contains))
        {
            throw Refuse(
                context,
                StatusCode.PermissionDenied,
                $"the API key '{caller.Name}' ({string.Join(", ", caller.Roles.Order())}) may not call {context.Method.TrimStart('/')}; it takes {string.Join(" or ", allowed)}",
                caller.Name);
        }
    }

    private RpcException Refuse(ServerCallContext context, StatusCode code, string detail, string? caller)
    {
        LogRefused(logger, context.Method, code, caller ?? "(none)", context.Peer);
        return new RpcException(new Status(code, detail));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a call to {Method} with {Code}: key {Key}, from {Peer}")]
    private static partial void LogRefused(ILogger logger, string method, StatusCode code, string key, string peer);
}

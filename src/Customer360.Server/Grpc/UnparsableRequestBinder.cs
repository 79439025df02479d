using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;

namespace Customer360.Server.Grpc;

/// <summary>
/// Binds a service's methods as the generated binding does, with one change: a request message
/// protobuf cannot parse (a string that is not UTF-8, a truncated field, a wrong wire type) is
/// answered with INVALID_ARGUMENT naming <c>request</c>, once the call's API key has let it
/// through (<see cref="UnparsableRequestInterceptor"/>).
/// </summary>
/// <remarks>
/// grpc-dotnet parses a request before any interceptor runs, and a parse failure would end the
/// call with UNKNOWN ("Exception was thrown by handler.") and an error with its stack in the log,
/// one for every such call a client sends. An <see cref="RpcException"/> thrown by the
/// deserializer instead is answered with its own status and logged at Information only. On a
/// touchpoint stream it comes out of the reader's MoveNext after grpc-dotnet has consumed the
/// message's frame, so the stream can refuse that message alone and read on
/// (<see cref="UnparsableRequestException"/>). A unary call's or a watch's request is parsed
/// before the interceptors, the key check among them, run: refused there, a caller without a key
/// would be told how its message was read where it must hear UNAUTHENTICATED, and a key with a
/// rate limit would send such calls without taking a token. An empty request stands in for it,
/// and <see cref="UnparsableRequestInterceptor"/> refuses it after the key check.
/// A service takes it with <c>[BindServiceMethod(typeof(TheApi), nameof(BindService))]</c> and a static BindService that
/// hands this binder to the generated one: grpc-dotnet looks for that attribute on the service's
/// own class before its generated base.
/// </remarks>
public sealed class UnparsableRequestBinder(ServiceBinderBase binder) : ServiceBinderBase
{
    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
        binder.AddMethod(Checked(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
        binder.AddMethod(Checked(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
        binder.AddMethod(Checked(method), handler);

    public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
        binder.AddMethod(Checked(method), handler);

    private static Method<TRequest, TResponse> Checked<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        var parse = method.RequestMarshaller.ContextualDeserializer;
        var requests = new Marshaller<TRequest>(
            method.RequestMarshaller.ContextualSerializer,
            context =>
            {
                try
                {
                    return parse(context);
                }
                catch (InvalidProtocolBufferException ex)
                {
                    var refusal = new UnparsableRequestException(typeof(TRequest).Name, ex);
                    if (method.Type is MethodType.Unary or MethodType.ServerStreaming)
                    {
                        return UnparsableRequestInterceptor.StandIn<TRequest>(refusal);
                    }

                    throw refusal;
                }
            });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, requests, method.ResponseMarshaller);
    }
}

/// <summary>A request message protobuf could not parse: INVALID_ARGUMENT naming <c>request</c>.</summary>
public sealed class UnparsableRequestException(string messageType, InvalidProtocolBufferException reason)
    : FieldRefusal(StatusCode.InvalidArgument, new("request", $"could not be parsed as a {messageType} message ({reason.Message.TrimEnd('.')})"));

/// <summary>
/// Refuses a unary call's or a watch's request that protobuf could not parse, after the call's
/// API key has been checked (it runs after <see cref="Security.ApiKeyInterceptor"/>), and before
/// anything else sees the empty request that stood in for it (<see cref="UnparsableRequestBinder"/>).
/// </summary>
public sealed class UnparsableRequestInterceptor : RequestCheckInterceptor
{
    // Keyed by the stand-in itself: it lives as long as its call, and takes nothing from a call
    // whose request was parsed.
    private static readonly ConditionalWeakTable<object, UnparsableRequestException> Refusals = new();

    /// <summary>An empty request that stands for one that could not be parsed, refused with <paramref name="refusal"/> once the key check has let it through.</summary>
    internal static TRequest StandIn<TRequest>(UnparsableRequestException refusal)
        where TRequest : class
    {
        var standIn = Activator.CreateInstance<TRequest>();
        Refusals.AddOrUpdate(standIn, refusal);
        return standIn;
    }

    protected override void Check(object request)
    {
        if (Refusals.TryGetValue(request, out var refusal))
        {
            throw refusal;
        }
    }
}

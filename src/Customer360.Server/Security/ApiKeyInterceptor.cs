using Customer360.Api.V1;
using Customer360.Grains.Diagnostics;
using Customer360.Server.Grpc;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Customer360.Server.Security;

/// <summary>
/// Lets a call to the Customer360 services through only if it carries a configured API key
/// (<c>authorization: Bearer &lt;key&gt;</c>) whose roles may call the method; otherwise it
/// fails with UNAUTHENTICATED (no key, or an unknown one) or PERMISSION_DENIED (a known key
/// without the role), before the call does anything. A stream is checked as it opens, and again
/// at its next message after the keys change, so removing a key ends the streams opened with it;
/// keys configured on a server that ran without them end the streams opened without one.
/// A key with a rate limit (<see cref="KeyRateLimit"/>) has a unary call, or a watch or a
/// touchpoint stream as it opens, beyond it refused with RESOURCE_EXHAUSTED and
/// <c>grpc-retry-pushback-ms</c>, and a stream's messages wait for it.
/// </summary>
public sealed partial class ApiKeyInterceptor : Interceptor, IDisposable
{
    public const string Header = "authorization";

    /// <summary>The trailer that tells a client, and gRPC's own retry policies, how long to wait before retrying.</summary>
    public const string RetryPushbackTrailer = "grpc-retry-pushback-ms";

    private const string Scheme = "Bearer ";

    private static readonly object GrantKey = typeof(Grant);

    private readonly ApiKeys _keys;
    private readonly MessageSizeLimit _messageSize;
    private readonly Customer360Metrics _metrics;
    private readonly ILogger<ApiKeyInterceptor> _logger;

    // A client with a wrong key may retry thousands of times a second: one warning per kind of
    // refusal and key every ten seconds, and a last one with the count of the final ten seconds;
    // the metrics count every one.
    private readonly LogSampler<(StatusCode Code, string? Caller)> _refusalLogs;

    public ApiKeyInterceptor(ApiKeys keys, MessageSizeLimit messageSize, Customer360Metrics metrics, ILogger<ApiKeyInterceptor> logger)
    {
        _keys = keys;
        _messageSize = messageSize;
        _metrics = metrics;
        _logger = logger;
        _refusalLogs = new(TimeSpan.FromSeconds(10), (kind, alike) => LogRefusedLeftOut(logger, alike, kind.Code, kind.Caller ?? "(none)"));
    }

    public void Dispose() => _refusalLogs.Dispose();

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context)?.TakeOrRefuse();
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        Authorize(context, longLived: true) is { } grant
            ? continuation(new CheckedReader<TRequest>(requestStream, grant), context)
            : continuation(requestStream, context);

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (Authorize(context, longLived: true) is not { } grant)
        {
            await continuation(request, responseStream, context);
            return;
        }

        grant.TakeOrRefuse();
        using var revocation = new RevocationFollower(grant, _keys, context);
        await continuation(request, new CheckedWriter<TResponse>(responseStream, grant), context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (Authorize(context, longLived: true) is not { } grant)
        {
            await continuation(requestStream, responseStream, context);
            return;
        }

        // Opening takes a token, as a watch's does, besides its messages' own: a till fleet that
        // reconnects in a loop is refused at its key's rate instead of opening stream after stream.
        grant.TakeOrRefuse();

        // A till may go quiet for hours: the stream ends when its key goes, not at its next message.
        using var revocation = new RevocationFollower(grant, _keys, context);
        await continuation(new CheckedReader<TRequest>(requestStream, grant), new CheckedWriter<TResponse>(responseStream, grant), context);
    }

    /// <summary>Refuses the call, or lets it through: with the grant a stream is checked by, or null when no key is needed.</summary>
    /// <param name="longLived">
    /// A stream or a watch, which may outlive the keys it opened under: on a server without keys
    /// it is followed too, and ends if keys are configured while it is open.
    /// </param>
    private Grant? Authorize(ServerCallContext context, bool longLived = false)
    {
        // Read before the keys are looked at: a change that comes after is seen at the next look.
        var generation = _keys.Generation;
        if (!ApiRoles.Guards(CallMethods.NameOf(context)))
        {
            return null;
        }

        if (!_keys.Required)
        {
            if (!longLived)
            {
                return null;
            }

            var anonymous = new Grant(this, _keys, context, digest: null, generation);
            context.UserState[GrantKey] = anonymous;
            return anonymous;
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

        var grant = new Grant(this, _keys, context, ApiKeys.DigestOf(header[Scheme.Length..].Trim()), generation);
        grant.Check(unknown: "unknown API key");
        context.UserState[GrantKey] = grant;
        return grant;
    }

    /// <summary>
    /// The name of the API key the call was let through with, as of its latest check; null when
    /// the server takes calls without keys. What the engine records as who wrote a change.
    /// </summary>
    public static string? CallerOf(ServerCallContext context) =>
        context.UserState.TryGetValue(GrantKey, out var grant) ? ((Grant)grant).CallerName : null;

    private RpcException Refuse(ServerCallContext context, StatusCode code, string detail, string? caller, Metadata? trailers = null)
    {
        if (code == StatusCode.ResourceExhausted)
        {
            // A client beyond its limit may be refused thousands of times a second: counted in
            // the metrics, and logged only when asked for.
            LogLimited(_logger, CallMethods.NameOf(context), caller ?? "(none)", context.Peer);
        }
        else if (_refusalLogs.ShouldLog((code, caller), out var alike))
        {
            LogRefused(_logger, CallMethods.NameOf(context), code, caller ?? "(none)", context.Peer, alike);
        }

        _metrics.Refused(code switch
        {
            StatusCode.PermissionDenied => "permission_denied",
            StatusCode.ResourceExhausted => "resource_exhausted",
            _ => "unauthenticated",
        });
        return new RpcException(new Status(code, detail), trailers ?? []);
    }

    private void NoteThrottled(string key) => _metrics.Throttled(key);

    /// <summary>
    /// The tokens a stream's message takes from its key's limit: one per touchpoint it carries, at
    /// least one; a message above the size limit, refused whole without any of its touchpoints
    /// read, takes one.
    /// </summary>
    private int TokensFor<T>(T message) =>
        message is StreamTouchpointsRequest touchpoints && _messageSize.Check(touchpoints) is null
            ? touchpoints.AckCount
            : 1;

    /// <summary>
    /// One call's key, looked up again whenever the keys have changed since it last was. A stream's
    /// reader, its writer and a watch's follower may look at once: the look-ups are serialised,
    /// and a look at an older change never undoes one at a newer. Without a digest, a stream or
    /// watch opened on a server that took calls without keys: let through until keys are configured.
    /// </summary>
    private sealed class Grant(ApiKeyInterceptor owner, ApiKeys keys, ServerCallContext context, string? digest, int generation)
    {
        private readonly Lock _gate = new();
        private int _generation = generation;
        private volatile ApiCaller? _caller;

        public string? CallerName => _caller?.Name;

        public void Check(string unknown)
        {
            if (digest is null)
            {
                if (keys.Required)
                {
                    throw owner.Refuse(context, StatusCode.Unauthenticated, $"{Header}: API keys are now required, and this call was opened without one", caller: null);
                }

                return;
            }

            var caller = keys.FindDigest(digest)
                ?? throw owner.Refuse(context, StatusCode.Unauthenticated, $"{Header}: {unknown}", caller: _caller?.Name);
            _caller = caller;
            var method = CallMethods.NameOf(context);
            var allowed = ApiRoles.AllowedFor(method);
            if (!allowed.Any(caller.Roles.Contains))
            {
                throw owner.Refuse(
                    context,
                    StatusCode.PermissionDenied,
                    $"the API key '{caller.Name}' ({string.Join(", ", caller.Roles.Order())}) may not call {method.TrimStart('/')}; it takes {string.Join(" or ", allowed)}",
                    caller.Name);
            }
        }

        /// <summary>Takes one token from the key's limit, or refuses the call with RESOURCE_EXHAUSTED and how long to wait.</summary>
        public void TakeOrRefuse()
        {
            var caller = _caller;
            if (caller?.Limit is not { } limit || limit.TryTake(out var retryAfter))
            {
                return;
            }

            var waitMs = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalMilliseconds));
            throw owner.Refuse(
                context,
                StatusCode.ResourceExhausted,
                $"the API key '{caller.Name}' is limited to {limit}; retry in {waitMs} ms",
                caller.Name,
                new Metadata { { RetryPushbackTrailer, waitMs.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
        }

        /// <summary>Before a stream's message is let through: waits for its tokens, if the key has a limit.</summary>
        public async ValueTask TakeAsync<T>(T message, CancellationToken cancellationToken)
        {
            while (_caller is { Limit: { } limit } caller)
            {
                var name = caller.Name;
                if (await limit.TakeAsync(owner.TokensFor(message), () => owner.NoteThrottled(name), cancellationToken))
                {
                    // The keys may have changed while the message waited (its key removed, or its
                    // role taken away, with the limit kept): it goes through only if it still may.
                    Recheck();
                    return;
                }

                // The key's limit was replaced while the message waited: its key is looked up again
                // (it may have been removed) and the message waits on the new limit, if any.
                Recheck();
                if (ReferenceEquals(_caller?.Limit, limit))
                {
                    throw new RpcException(new Status(StatusCode.Unavailable, "the server is stopping"));
                }
            }
        }

        /// <summary>Before each message of a stream: nothing, unless the keys changed since the last look.</summary>
        public void Recheck()
        {
            var now = keys.Generation;
            if (now == Volatile.Read(ref _generation))
            {
                return;
            }

            lock (_gate)
            {
                if (now <= _generation)
                {
                    return;
                }

                Check(unknown: "the API key this stream was opened with has been removed");
                Volatile.Write(ref _generation, now);
            }
        }
    }

    /// <summary>
    /// Looks a watch's or a touchpoint stream's key up again at every change of the keys, and revokes the call
    /// (<see cref="KeyRevocation"/>) the moment the key no longer lets it through.
    /// </summary>
    private sealed class RevocationFollower : IDisposable
    {
        private readonly Grant _grant;
        private readonly ApiKeys _keys;
        private readonly KeyRevocation _revocation = new();
        private readonly Lock _gate = new();
        private CancellationTokenRegistration _following;
        private bool _ended;

        public RevocationFollower(Grant grant, ApiKeys keys, ServerCallContext context)
        {
            _grant = grant;
            _keys = keys;
            _revocation.AttachTo(context);
            lock (_gate)
            {
                Follow();
            }
        }

        public void Dispose()
        {
            CancellationTokenRegistration following;
            lock (_gate)
            {
                _ended = true;
                following = _following;
            }

            // Outside the lock: disposing a registration waits for its callback if it is running,
            // and the callback takes the lock.
            following.Dispose();
            _revocation.Dispose();
        }

        /// <summary>
        /// Looks the key up, then waits for the next change. The token is taken before the look,
        /// and the keys count a change before they cancel its token, so a change that comes
        /// between the two is never missed: either the look sees it, or the token fires for it.
        /// The callback only queues the next look, so it never runs inside <c>Register</c>.
        /// </summary>
        private void Follow()
        {
            var next = _keys.NextChange;
            try
            {
                _grant.Recheck();
            }
            catch (RpcException refused)
            {
                _revocation.Revoke(refused);
                return;
            }

            _following = next.Register(
                static state => ThreadPool.UnsafeQueueUserWorkItem(static f => f.OnChange(), (RevocationFollower)state!, preferLocal: false),
                this);
        }

        private void OnChange()
        {
            lock (_gate)
            {
                if (!_ended)
                {
                    Follow();
                }
            }
        }
    }

    private sealed class CheckedReader<T>(IAsyncStreamReader<T> inner, Grant grant) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            bool more;
            try
            {
                more = await inner.MoveNext(cancellationToken);
            }
            catch (UnparsableRequestException)
            {
                // Refused alone with one ack, and the stream goes on: it takes one token, as a
                // message refused for its size does.
                grant.Recheck();
                await grant.TakeAsync(default(T), cancellationToken);
                throw;
            }

            if (more)
            {
                grant.Recheck();
                await grant.TakeAsync(inner.Current, cancellationToken);
            }

            return more;
        }
    }

    private sealed class CheckedWriter<T>(IServerStreamWriter<T> inner, Grant grant) : IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            grant.Recheck();
            return inner.WriteAsync(message, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a call to {Method} with {Code}: key {Key}, from {Peer} ({Alike} more like it not logged since the last)")]
    private static partial void LogRefused(ILogger logger, string method, StatusCode code, string key, string peer, long alike);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Alike} more calls were refused with {Code} for key {Key} after the last one logged")]
    private static partial void LogRefusedLeftOut(ILogger logger, long alike, StatusCode code, string key);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused a call to {Method} beyond the rate limit of key {Key}, from {Peer}")]
    private static partial void LogLimited(ILogger logger, string method, string key, string peer);
}

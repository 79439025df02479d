using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Customer360.Api.V1;
using Customer360.Contracts.Customers;
using Customer360.Contracts.Segments;
using Customer360.Grains.Customers;
using Customer360.Grains.Diagnostics;
using Customer360.Server.Security;
using Grpc.Core;

namespace Customer360.Server.Grpc;

/// <summary>
/// The public CustomerService: validates, maps to the domain, calls the customer grain and maps
/// the answer back. It holds no state of its own.
/// </summary>
[BindServiceMethod(typeof(CustomerApi), nameof(BindService))]
public sealed class CustomerApi(
    CustomerGrains customers,
    ApiValidation validation,
    MessageSizeLimit messageSize,
    ServerShutdown shutdown,
    OpenTouchpointStreams streams,
    Customer360Metrics metrics,
    ApiFailureLog failures) : CustomerService.CustomerServiceBase
{
    /// <summary>Touchpoints of one stream being applied at once; more waits, which backs up HTTP/2 flow control.</summary>
    public const int StreamWindow = 64;

    /// <summary>The UpsertProfile trailer that says whether the request changed the profile ("true" or "false").</summary>
    public const string ProfileChangedTrailer = "c360-profile-changed";

    private static readonly WriteOptions BufferedWrite = new(WriteFlags.BufferHint);

    /// <summary>Longest a watch waits inside one grain call before asking again.</summary>
    private static readonly TimeSpan WatchPoll = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A ListTouchpoints page holds at most this many bytes of touchpoints, and fewer than its
    /// page size when they are large: half of the 4 MB a gRPC client reads by default. A
    /// customer's view is held to the same size.
    /// </summary>
    public const int MaxPageBytes = 2 * 1024 * 1024;

    /// <summary>The most a touchpoint's recorded_by, added after its size was checked, adds to it encoded (a key name of up to 64 characters).</summary>
    private const int RecordedByBytes = 2 + 3 * ApiKeys.MaxNameLength;

    /// <summary>Binds the service as generated, with requests protobuf cannot parse answered INVALID_ARGUMENT (<see cref="UnparsableRequestBinder"/>).</summary>
    public static void BindService(ServiceBinderBase binder, CustomerService.CustomerServiceBase service) =>
        CustomerService.BindService(new UnparsableRequestBinder(binder), service);

    public override async Task<Api.V1.CustomerView> UpsertProfile(UpsertProfileRequest request, ServerCallContext context)
    {
        validation.CheckCustomerId(request.CustomerId);
        var patch = ProtoMapper.ToDomain(request, ApiKeyInterceptor.CallerOf(context));
        if (validation.Profiles.Check(request.CustomerId, patch, validation.Clock.GetUtcNow()) is { } error)
        {
            throw ApiValidation.Invalid(error);
        }

        var result = await Customer(request.CustomerId).UpsertProfileAsync(patch);
        if (result.View is null)
        {
            throw ApiValidation.Invalid(result.RejectedField ?? "request", result.RejectedReason ?? "was refused");
        }

        context.ResponseTrailers.Add(ProfileChangedTrailer, result.Changed ? "true" : "false");
        return ToProto(result.View);
    }

    public override async Task<TouchpointAck> RecordTouchpoint(RecordTouchpointRequest request, ServerCallContext context)
    {
        var received = Stopwatch.GetTimestamp();
        try
        {
            var touchpoint = Validate(request.Touchpoint, ApiKeyInterceptor.CallerOf(context));
            var result = await SiloLossRetry.CallAsync(() => Customer(touchpoint.CustomerId).RecordTouchpointAsync(touchpoint), context.CancellationToken, shutdown.Stopping);
            return Answered(Ack(result), received);
        }
        catch (Exception ex)
        {
            metrics.Answered(
                ex is ErasedHistoryRefusal ? Customer360Metrics.Outcomes.Erased
                : ErrorMappingInterceptor.ToStatus(ex).StatusCode == StatusCode.FailedPrecondition ? Customer360Metrics.Outcomes.Conflict
                : Customer360Metrics.Outcomes.Rejected,
                Stopwatch.GetElapsedTime(received));
            throw;
        }
    }

    public override Task StreamTouchpoints(
        IAsyncStreamReader<StreamTouchpointsRequest> requestStream,
        IServerStreamWriter<TouchpointAck> responseStream,
        ServerCallContext context) =>
        IngestAsync(requestStream, context, async (acks, cancellation) =>
        {
            await foreach (var pending in acks.ReadAllAsync(cancellation))
            {
                var ack = await pending;

                // When the next ack is ready too, this one may wait in the buffer and leave with
                // it: one HTTP/2 flush (one send) for a run of acks instead of one each.
                responseStream.WriteOptions = acks.TryPeek(out var next) && next.IsCompleted ? BufferedWrite : null;
                await responseStream.WriteAsync(ack, cancellation);
            }
        });

    public override Task StreamTouchpointBatches(
        IAsyncStreamReader<StreamTouchpointsRequest> requestStream,
        IServerStreamWriter<TouchpointAckBatch> responseStream,
        ServerCallContext context) =>
        IngestAsync(requestStream, context, (acks, cancellation) => WriteAckBatchesAsync(acks, batch => responseStream.WriteAsync(batch, cancellation), cancellation));

    /// <summary>
    /// Sends acks in arrival order, each message holding the oldest ack not yet sent and every
    /// later one already decided when it goes: it waits for the oldest only, never for more.
    /// </summary>
    internal static async Task WriteAckBatchesAsync(ChannelReader<Task<TouchpointAck>> acks, Func<TouchpointAckBatch, Task> send, CancellationToken cancellation)
    {
        await foreach (var pending in acks.ReadAllAsync(cancellation))
        {
            var batch = new TouchpointAckBatch { Acks = { await pending } };
            while (acks.TryPeek(out var next) && next.IsCompleted && acks.TryRead(out next))
            {
                batch.Acks.Add(await next);
            }

            await send(batch);
        }
    }

    /// <summary>
    /// Serves one touchpoint stream, counted in <c>customer360.api.streams</c> and against the
    /// server's cap (<see cref="OpenTouchpointStreams"/>) while it is open: however it ends, its
    /// place is freed. Refused with RESOURCE_EXHAUSTED when the server has as many open as it allows.
    /// </summary>
    private async Task IngestAsync(
        IAsyncStreamReader<StreamTouchpointsRequest> requestStream,
        ServerCallContext context,
        Func<ChannelReader<Task<TouchpointAck>>, CancellationToken, Task> writeAcks)
    {
        // Counted before anything is read, so that a stream beyond the cap applies nothing.
        using var counted = streams.Enter();
        metrics.StreamOpened();
        try
        {
            await TakeAllAsync(requestStream, context, writeAcks);
        }
        finally
        {
            metrics.StreamClosed();
        }
    }

    /// <summary>
    /// Takes a stream's touchpoints one by one, applying up to <see cref="StreamWindow"/> at once
    /// (on different customers, in parallel; a customer's in the order they arrived), and hands
    /// their acks, in arrival order, to <paramref name="writeAcks"/>, which sends them.
    /// </summary>
    private async Task TakeAllAsync(
        IAsyncStreamReader<StreamTouchpointsRequest> requestStream,
        ServerCallContext context,
        Func<ChannelReader<Task<TouchpointAck>>, CancellationToken, Task> writeAcks)
    {
        var cancellation = context.CancellationToken;
        var inFlight = System.Threading.Channels.Channel.CreateBounded<Task<TouchpointAck>>(new BoundedChannelOptions(StreamWindow)
        {
            SingleReader = true,
            SingleWriter = true,
        });

        // The acks stop as soon as the stream's key goes, too: a till that reads no acks (its
        // HTTP/2 window full) must not hold the call open with a key that is no longer valid.
        var revocation = KeyRevocation.Of(context);
        using var writing = revocation is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellation, revocation.Token);
        var writeCancellation = writing?.Token ?? cancellation;
        var writer = Task.Run(() => writeAcks(inFlight.Reader, writeCancellation), writeCancellation);

        // Touchpoints of the same customer are applied in the order they arrived, so a repeat
        // later in the stream is the one reported as DUPLICATE.
        var lastByCustomer = new Dictionary<string, Task<TouchpointAck>>(StringComparer.Ordinal);
        long sequence = 0;
        var revokedWhileReading = false;
        ExceptionDispatchInfo? readFailure = null;
        using var reading = shutdown.CallOrShutdown(context);

        // Acks that can no longer be written (the key was removed, the client went) end the
        // reading too: otherwise it would wait for a client that waits for acks, or for room in
        // a window nobody drains.
        using var ackWriterFailed = CancellationTokenSource.CreateLinkedTokenSource(reading.Token);
        _ = writer.ContinueWith(
            static (_, state) =>
            {
                try
                {
                    ((CancellationTokenSource)state!).Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The call has ended already.
                }
            },
            ackWriterFailed,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);
        try
        {
            while (true)
            {
                StreamTouchpointsRequest request;
                try
                {
                    if (!await requestStream.MoveNext(ackWriterFailed.Token))
                    {
                        break;
                    }

                    request = requestStream.Current;
                }
                catch (UnparsableRequestException unparsable)
                {
                    // Refused alone, and the stream goes on: grpc-dotnet took the message's frame
                    // off the stream before parsing it, and its reader keeps nothing of the failure,
                    // so the next MoveNext reads the next message. Which touchpoints the message
                    // held is unknown: it gets one REJECTED ack, as a message holding none does.
                    await RefuseAsync(new StreamTouchpointsRequest(), unparsable.Status, unparsable.Field);
                    continue;
                }

                if (messageSize.Check(request, out var size) is { } tooLarge)
                {
                    // Refused alone: each of its touchpoints gets its REJECTED ack, and the stream goes on.
                    await RefuseAsync(request, tooLarge, "");
                    continue;
                }

                // A message within a touchpoint's size holds no touchpoint above it: most carry one,
                // and this saves measuring it again.
                var measure = size > validation.Limits.MaxTouchpointBytes;

                // A message's touchpoints are taken one by one, exactly as if each had come alone.
                if (request.Touchpoint is not null || request.Touchpoints.Count == 0)
                {
                    await TakeAsync(request.Touchpoint, "touchpoint", measure);
                }

                for (var i = 0; i < request.Touchpoints.Count; i++)
                {
                    await TakeAsync(request.Touchpoints[i], $"touchpoints[{i}]", measure);
                }
            }
        }
        catch (Exception) when (shutdown.Stopping.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            // The server is stopping: read no more, but acknowledge what was already taken.
        }
        catch (OperationCanceledException) when (writer.IsFaulted)
        {
            // The acks failed; awaiting the writer below ends the call with its reason.
        }
        catch (Exception) when (revocation?.Reason is not null && !cancellation.IsCancellationRequested)
        {
            // The stream's key was removed or lost its role: read no more; the call ends with that reason below.
            revokedWhileReading = true;
        }
        catch (RpcException ex) when (!cancellation.IsCancellationRequested)
        {
            // The stream cannot go on (its key failed a check as a message came in, or a message
            // was larger than the server reads): the acks already due are still sent, then the
            // call ends with this reason.
            readFailure = ExceptionDispatchInfo.Capture(ex);
        }
        finally
        {
            inFlight.Writer.TryComplete();
        }

        Exception? writeFailure = null;
        try
        {
            await writer;
        }
        catch (Exception ex)
        {
            writeFailure = ex;
        }

        readFailure?.Throw();

        // A stream that ended as the key went, with every ack sent, succeeded: only one the
        // change cut short ends with it.
        if (revocation?.Reason is { } revoked && (revokedWhileReading || writeFailure is not null) && !cancellation.IsCancellationRequested)
        {
            throw revoked;
        }

        if (writeFailure is not null)
        {
            ExceptionDispatchInfo.Throw(writeFailure);
        }

        if (shutdown.Stopping.IsCancellationRequested)
        {
            throw shutdown.ShuttingDown();
        }

        // Answers every touchpoint of a message that is refused as a whole, in order, as one
        // message with none is answered: with one ack.
        async ValueTask RefuseAsync(StreamTouchpointsRequest request, Status refusal, string field)
        {
            var received = Stopwatch.GetTimestamp();
            if (request.Touchpoint is not null || request.Touchpoints.Count == 0)
            {
                await RefuseOneAsync(request.Touchpoint);
            }

            foreach (var touchpoint in request.Touchpoints)
            {
                await RefuseOneAsync(touchpoint);
            }

            ValueTask RefuseOneAsync(Api.V1.Touchpoint? touchpoint) =>
                inFlight.Writer.WriteAsync(
                    Task.FromResult(Answered(Rejected(touchpoint?.EventId ?? "", sequence++, refusal, field), received)),
                    ackWriterFailed.Token);
        }

        // Starts applying one touchpoint, after any earlier one of the same customer, and queues
        // its ack; waits when StreamWindow touchpoints are already in flight.
        async ValueTask TakeAsync(Api.V1.Touchpoint? message, string path, bool measure)
        {
            var customerId = message?.CustomerId ?? "";
            var previous = lastByCustomer.GetValueOrDefault(customerId);
            var applying = ApplyOneAsync(message, path, sequence++, previous, ApiKeyInterceptor.CallerOf(context), measure);
            lastByCustomer[customerId] = applying;
            if (lastByCustomer.Count > 4 * StreamWindow)
            {
                foreach (var done in lastByCustomer.Where(kv => kv.Value.IsCompleted).Select(kv => kv.Key).ToArray())
                {
                    lastByCustomer.Remove(done);
                }
            }

            await inFlight.Writer.WriteAsync(applying, ackWriterFailed.Token);
        }
    }

    public override async Task<Api.V1.CustomerView> GetCustomer(GetCustomerRequest request, ServerCallContext context)
    {
        validation.CheckCustomerId(request.CustomerId);
        var recent = RecentTouchpoints(request.HasRecentTouchpoints, request.RecentTouchpoints);
        var grain = Customer(request.CustomerId);
        var view = await SiloLossRetry.CallAsync(
            async () => await grain.GetViewAsync(recent) ?? throw await NotFoundAsync(grain, request.CustomerId),
            context.CancellationToken,
            shutdown.Stopping);
        return ToProto(view);
    }

    public override async Task<ListTouchpointsResponse> ListTouchpoints(ListTouchpointsRequest request, ServerCallContext context)
    {
        validation.CheckCustomerId(request.CustomerId);
        var query = ProtoMapper.ToQuery(request);
        var grain = Customer(request.CustomerId);
        var page = await SiloLossRetry.CallAsync(
            async () => await grain.ListTouchpointsAsync(query) ?? throw await NotFoundAsync(grain, request.CustomerId),
            context.CancellationToken,
            shutdown.Stopping);
        var response = new ListTouchpointsResponse();
        var next = page.Next;
        var bytes = 0;
        for (var i = 0; i < page.Touchpoints.Count; i++)
        {
            var item = ProtoMapper.ToProto(page.Touchpoints[i]);
            var itemBytes = item.CalculateSize();
            if (i > 0 && bytes + itemBytes > MaxPageBytes)
            {
                // A page of large touchpoints ends early, and the next one starts after its last.
                next = TouchpointCursor.Of(page.Touchpoints[i - 1]);
                break;
            }

            bytes += itemBytes;
            response.Touchpoints.Add(item);
        }

        response.NextPageToken = PageTokens.Encode(next, request);
        return response;
    }

    public override async Task WatchCustomer(WatchCustomerRequest request, IServerStreamWriter<Api.V1.CustomerView> responseStream, ServerCallContext context)
    {
        validation.CheckCustomerId(request.CustomerId);
        var recent = RecentTouchpoints(request.HasRecentTouchpoints, request.RecentTouchpoints);
        var grain = Customer(request.CustomerId);
        await shutdown.WatchAsync(
            context,
            async () => await grain.GetViewAsync(recent) ?? throw await NotFoundAsync(grain, request.CustomerId),
            // A rescore (a new value model, a new day) changes the view without a new version.
            v => new MembershipOrder(v.Version, v.Value?.Revision ?? 0),
            (known, cancellation) => WaitForChangeAsync(grain, known, recent, cancellation),
            (v, cancellation) => responseStream.WriteAsync(ToProto(v), cancellation));
    }

    /// <summary>The watched customer's next view; NOT_FOUND, saying so, once it is erased.</summary>
    private static async Task<Contracts.Customers.CustomerView?> WaitForChangeAsync(ICustomerGrain grain, MembershipOrder known, int recent, CancellationToken cancellation)
    {
        try
        {
            return await grain.WaitForChangeAsync(known.CustomerVersion, known.ScoreRevision, WatchPoll, recent, cancellation);
        }
        catch (CustomerErasedException erased)
        {
            throw Erased(erased.CustomerId, erased.ErasedAt);
        }
    }

    public override async Task<EraseCustomerResponse> EraseCustomer(EraseCustomerRequest request, ServerCallContext context)
    {
        validation.CheckCustomerId(request.CustomerId);
        var erased = await Customer(request.CustomerId).EraseAsync() ?? throw NotFound(request.CustomerId);
        return new EraseCustomerResponse
        {
            CustomerId = request.CustomerId,
            ErasedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(erased.ErasedAt),
            EntriesRemoved = erased.EntriesRemoved,
            AlreadyErased = erased.AlreadyErased,
        };
    }

    private async Task<TouchpointAck> ApplyOneAsync(Api.V1.Touchpoint? message, string path, long sequence, Task? previousOfCustomer, string? recordedBy, bool measure)
    {
        var received = Stopwatch.GetTimestamp();
        var eventId = message?.EventId ?? "";
        if (previousOfCustomer is not null)
        {
            // Its outcome is reported on its own ack; here it only orders this one after it.
            await previousOfCustomer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        try
        {
            var touchpoint = Validate(message, recordedBy, path, measure);
            var attempted = Stopwatch.GetTimestamp();
            TouchpointResult result;
            try
            {
                result = await Customer(touchpoint.CustomerId).RecordTouchpointAsync(touchpoint);
            }
            catch (Exception lost) when (SiloLossRetry.IsSiloLoss(lost))
            {
                result = await RecordAgainAsync(touchpoint, lost, attempted);
            }

            var ack = Ack(result, path);
            ack.Sequence = sequence;
            return Answered(ack, received);
        }
        catch (RpcException ex)
        {
            return Answered(Rejected(eventId, sequence, ex.Status, (ex as FieldRefusal)?.Field ?? ""), received, erased: ex is ErasedHistoryRefusal);
        }
        catch (Exception ex)
        {
            // Not applied (acks are only sent after the write): the till may retry this touchpoint.
            var status = ErrorMappingInterceptor.ToStatus(ex);
            failures.TouchpointFailed(ex, eventId, status.StatusCode);
            return Answered(Rejected(eventId, sequence, status, ""), received);
        }
    }

    /// <summary>
    /// A streamed touchpoint whose customer's silo left while it was recorded, tried again (see
    /// <see cref="SiloLossRetry"/>). Only this server's stopping ends the retries early: the
    /// call's own token may no longer be valid once the stream has ended, and the retries are
    /// short anyway.
    /// </summary>
    private Task<TouchpointResult> RecordAgainAsync(Domain.Customers.Touchpoint touchpoint, Exception lost, long attempted) =>
        SiloLossRetry.AgainAsync(lost, attempted, () => Customer(touchpoint.CustomerId).RecordTouchpointAsync(touchpoint), CancellationToken.None, shutdown.Stopping);

    /// <summary>Records the answer a touchpoint is given, and how long after its receipt (<see cref="Customer360Metrics"/>).</summary>
    private TouchpointAck Answered(TouchpointAck ack, long received, bool erased = false)
    {
        var outcome = ack.Status switch
        {
            AckStatus.Accepted => Customer360Metrics.Outcomes.Accepted,
            AckStatus.Duplicate => Customer360Metrics.Outcomes.Duplicate,
            _ when erased => Customer360Metrics.Outcomes.Erased,
            _ when ack.Code == (int)StatusCode.FailedPrecondition => Customer360Metrics.Outcomes.Conflict,
            _ => Customer360Metrics.Outcomes.Rejected,
        };
        metrics.Answered(outcome, Stopwatch.GetElapsedTime(received));
        return ack;
    }

    /// <summary>The domain touchpoint <paramref name="message"/> holds, or INVALID_ARGUMENT naming the field; <paramref name="measure"/> false when its size is known to be within the limit.</summary>
    private Domain.Customers.Touchpoint Validate(Api.V1.Touchpoint? message, string? recordedBy, string path = "touchpoint", bool measure = true)
    {
        // Output only: what a client sends there is ignored, and not counted against the size limit.
        if (message is { RecordedBy.Length: > 0 })
        {
            message.RecordedBy = "";
        }

        if (measure && message?.CalculateSize() is { } size && size > validation.Limits.MaxTouchpointBytes)
        {
            throw ApiValidation.Invalid(path, $"is {size:N0} bytes encoded; at most {validation.Limits.MaxTouchpointBytes:N0} are accepted");
        }

        var touchpoint = ProtoMapper.ToDomain(message!, path, recordedBy);
        var (accepted, error) = validation.Touchpoints.Validate(touchpoint, validation.Clock.GetUtcNow());
        return accepted ?? throw ApiValidation.Invalid(error!.Under(path));
    }

    private ICustomerGrain Customer(string customerId) => customers.Get(customerId);

    /// <summary>
    /// A view as the API sends it, its oldest recent touchpoints left out if it would be larger
    /// than <see cref="MaxPageBytes"/>. That takes a recent window of more than 128 touchpoints
    /// at the size limit (RecentWindow is up to 10,000); below that nothing is measured.
    /// </summary>
    private Api.V1.CustomerView ToProto(Contracts.Customers.CustomerView v)
    {
        var view = ProtoMapper.ToProto(v);
        if ((long)view.RecentTouchpoints.Count * (validation.Limits.MaxTouchpointBytes + RecordedByBytes) <= MaxPageBytes)
        {
            return view;
        }

        var bytes = view.CalculateSize();
        var tag = Google.Protobuf.CodedOutputStream.ComputeTagSize(Api.V1.CustomerView.RecentTouchpointsFieldNumber);
        while (bytes > MaxPageBytes && view.RecentTouchpoints.Count > 0)
        {
            var oldest = view.RecentTouchpoints[^1];
            bytes -= tag + Google.Protobuf.CodedOutputStream.ComputeMessageSize(oldest);
            view.RecentTouchpoints.RemoveAt(view.RecentTouchpoints.Count - 1);
        }

        return view;
    }

    /// <summary>How many recent touchpoints a view is to carry: all that are kept when the request does not say.</summary>
    private static int RecentTouchpoints(bool given, int count) =>
        !given ? int.MaxValue
        : count >= 0 ? count
        : throw ApiValidation.Invalid("recent_touchpoints", "must not be negative");

    private static TouchpointAck Ack(TouchpointResult result, string path = "touchpoint") => result.Status switch
    {
        TouchpointStatus.Accepted => new() { EventId = result.EventId, Status = AckStatus.Accepted, CustomerVersion = result.CustomerVersion },
        TouchpointStatus.Duplicate => new() { EventId = result.EventId, Status = AckStatus.Duplicate, CustomerVersion = result.CustomerVersion },
        TouchpointStatus.Erased => throw new ErasedHistoryRefusal(new($"{path}.occurred_at", result.Reason ?? "is at or before the customer's erasure")),
        _ => throw new FieldRefusal(StatusCode.FailedPrecondition, new($"{path}.event_id", result.Reason ?? "was recorded before with different content")),
    };

    /// <summary>A REJECTED ack with <paramref name="status"/>, naming <paramref name="field"/> ("" when the refusal is of no one field).</summary>
    private static TouchpointAck Rejected(string eventId, long sequence, Status status, string field) => new()
    {
        EventId = eventId,
        Status = AckStatus.Rejected,
        Reason = status.Detail,
        Field = field,
        Code = (int)status.StatusCode,
        Sequence = sequence,
    };

    private static RpcException NotFound(string customerId) =>
        new(new Status(StatusCode.NotFound, $"customer_id: no customer '{customerId}'"));

    /// <summary>
    /// NOT_FOUND for a read that found nothing, saying whether the customer was never seen or
    /// was erased (and when), so that an agent can tell a customer asking after their data.
    /// </summary>
    private static async Task<RpcException> NotFoundAsync(ICustomerGrain grain, string customerId) =>
        await grain.ErasedAtAsync() is { } erasedAt ? Erased(customerId, erasedAt) : NotFound(customerId);

    private static RpcException Erased(string customerId, DateTimeOffset erasedAt) =>
        new(new Status(StatusCode.NotFound, $"customer_id: {CustomerErasedException.Describe(customerId, erasedAt)}"));
}

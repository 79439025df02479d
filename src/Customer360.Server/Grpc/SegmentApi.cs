using Customer360.Api.V1;
using Customer360.Contracts.Segments;
using Customer360.Grains.Configuration;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SegmentIds = Customer360.Domain.Segments.SegmentId;

namespace Customer360.Server.Grpc;

/// <summary>The public SegmentService over the segment grains.</summary>
[BindServiceMethod(typeof(SegmentApi), nameof(BindService))]
public sealed class SegmentApi(IGrainFactory grains, IOptions<Customer360Options> options, ServerShutdown shutdown)
    : SegmentService.SegmentServiceBase
{
    private static readonly TimeSpan WatchPoll = TimeSpan.FromSeconds(15);

    private const int MaxEchoedId = 64;

    private string Currency => options.Value.ReportingCurrency;

    /// <summary>Binds the service as generated, with requests protobuf cannot parse answered INVALID_ARGUMENT (<see cref="UnparsableRequestBinder"/>).</summary>
    public static void BindService(ServiceBinderBase binder, SegmentService.SegmentServiceBase service) =>
        SegmentService.BindService(new UnparsableRequestBinder(binder), service);

    public override async Task<ListSegmentsResponse> ListSegments(ListSegmentsRequest request, ServerCallContext context)
    {
        var figures = await Task.WhenAll(SegmentIds.All.Select(id => SiloLossRetry.CallAsync(() => grains.GetGrain<ISegmentGrain>(id).GetAsync(0), context.CancellationToken, shutdown.Stopping)));
        var response = new ListSegmentsResponse();
        response.Segments.Add(figures.Select(f => ProtoMapper.ToProto(f, Currency)));
        return response;
    }

    public override async Task<Segment> GetSegment(GetSegmentRequest request, ServerCallContext context)
    {
        var top = CheckRequest(request.SegmentId, request.Top);
        var figures = await SiloLossRetry.CallAsync(() => grains.GetGrain<ISegmentGrain>(request.SegmentId).GetAsync(top), context.CancellationToken, shutdown.Stopping);
        return ProtoMapper.ToProto(figures, Currency);
    }

    public override async Task WatchSegment(WatchSegmentRequest request, IServerStreamWriter<Segment> responseStream, ServerCallContext context)
    {
        var top = CheckRequest(request.SegmentId, request.Top);
        var grain = grains.GetGrain<ISegmentGrain>(request.SegmentId);
        await shutdown.WatchAsync(
            context,
            () => grain.GetAsync(top),
            f => f.Version,
            (known, cancellation) => grain.WaitForChangeAsync(known, top, WatchPoll, cancellation),
            (f, cancellation) => responseStream.WriteAsync(ProtoMapper.ToProto(f, Currency), cancellation));
    }

    private static int CheckRequest(string segmentId, int top)
    {
        if (string.IsNullOrEmpty(segmentId))
        {
            throw ApiValidation.Invalid("segment_id", "must not be empty");
        }

        if (top is < 0 or > 100)
        {
            throw ApiValidation.Invalid("top", "must be between 0 and 100");
        }

        if (!SegmentIds.IsKnown(segmentId))
        {
            // Segment ids are short ("tier:gold"); a long unknown one is not echoed whole.
            var shown = segmentId.Length <= MaxEchoedId ? segmentId : $"{segmentId[..MaxEchoedId]}...";
            throw new RpcException(new Status(StatusCode.NotFound,
                $"segment_id: no segment '{shown}'; segments are {string.Join(", ", SegmentIds.All)}"));
        }

        return top == 0 ? 100 : top;
    }
}

using Customer360.Grains.Diagnostics;

namespace Customer360.Server.Grpc;

/// <summary>
/// Counts the touchpoint streams (<c>StreamTouchpoints</c>, <c>StreamTouchpointBatches</c>) this
/// server has open, and refuses one beyond <c>Customer360:Grpc:MaxTouchpointStreams</c> with
/// RESOURCE_EXHAUSTED as it opens. Each stream holds its window of touchpoints in flight, its
/// acks and its HTTP/2 buffers; the cap keeps a till fleet gone wrong (a reconnect loop after a
/// network blip, a bug that opens a stream per sale) from taking the server's memory.
/// </summary>
public sealed class OpenTouchpointStreams(int max, Customer360Metrics metrics) : OpenCalls(max, metrics)
{
    protected override string Call => "touchpoint_stream";

    protected override string Refusal =>
        $"this server has as many touchpoint streams open as Customer360:Grpc:MaxTouchpointStreams allows ({Max:N0}); retry later, or stream through another server";
}

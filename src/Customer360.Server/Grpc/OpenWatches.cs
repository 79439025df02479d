using Customer360.Grains.Diagnostics;

namespace Customer360.Server.Grpc;

/// <summary>
/// Counts the watches (<c>WatchCustomer</c>, <c>WatchSegment</c>) this server has open, and
/// refuses one beyond <c>Customer360:Grpc:MaxWatches</c> with RESOURCE_EXHAUSTED. Each watch
/// holds a waiting call to its grain and a stream; the cap keeps a flood of screens, or a client
/// that opens watches in a loop, from taking the memory and the threads the tills need.
/// </summary>
public sealed class OpenWatches(int max, Customer360Metrics metrics) : OpenCalls(max, metrics)
{
    protected override string Call => "watch";

    protected override string Refusal =>
        $"this server has as many watches open as Customer360:Grpc:MaxWatches allows ({Max:N0}); retry later, or watch through another server";
}

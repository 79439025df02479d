using Customer360.LoadTest.Engine;

namespace Customer360.LoadTest.Ceiling;

/// <summary>What the gRPC echo ceiling measured, over all streams.</summary>
internal sealed record EchoCeilingResult
{
    public required int Streams { get; init; }

    /// <summary>Touchpoints each stream kept un-echoed at most.</summary>
    public required int Window { get; init; }

    /// <summary>Touchpoints one frame carried at most.</summary>
    public required int Batch { get; init; }

    /// <summary>Frames sent, over all streams.</summary>
    public required int Messages { get; init; }

    /// <summary>Mean serialized touchpoint bytes a frame carried (its payload, before protobuf, gRPC and HTTP/2 framing).</summary>
    public required double AverageMessageBytes { get; init; }

    /// <summary>The fixed rate sends were offered at, or null when each stream sent as fast as its window allowed.</summary>
    public double? OfferedRate { get; init; }

    /// <summary>Touchpoints sent.</summary>
    public required int Sent { get; init; }

    /// <summary>Touchpoints that came back once and intact.</summary>
    public required int Echoed { get; init; }

    /// <summary>First send to last echo.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>From each touchpoint's send to its echo.</summary>
    public required LatencySummary Latency { get; init; }

    /// <summary>From each touchpoint's due time to its echo; null without an offered rate.</summary>
    public LatencySummary? ScheduledLatency { get; init; }

    /// <summary>Broken streams and wrong echoes, one line each.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    /// <summary>Touchpoints echoed per second.</summary>
    public double EchoedPerSecond => Elapsed > TimeSpan.Zero ? Echoed / Elapsed.TotalSeconds : 0;

    /// <summary>Every touchpoint came back once, intact, in order.</summary>
    public bool Clean => Echoed == Sent && Problems.Count == 0;
}

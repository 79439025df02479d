namespace Customer360.LoadTest.Engine;

/// <summary>What the engine phase measured, over all streams.</summary>
internal sealed record EngineResult
{
    public required int Streams { get; init; }

    /// <summary>Touchpoints each stream kept un-acknowledged at most.</summary>
    public required int Window { get; init; }

    /// <summary>Touchpoints one message carried at most.</summary>
    public required int Batch { get; init; }

    /// <summary>StreamTouchpoints messages sent, over all streams.</summary>
    public required int Messages { get; init; }

    /// <summary>The fixed rate sends were offered at, or null when each stream sent as fast as its window allowed.</summary>
    public required double? OfferedRate { get; init; }

    public required int Sent { get; init; }

    public required int Accepted { get; init; }

    public required int Duplicate { get; init; }

    public required int Rejected { get; init; }

    public required int Unacknowledged { get; init; }

    /// <summary>
    /// Streams the server refused for now as they opened (a cap on open streams, or the API key's
    /// rate), opened again after the wait it asked for; the waits count in the latency from the
    /// due time at an offered rate, and in <see cref="Elapsed"/>.
    /// </summary>
    public int RefusalsWaitedOut { get; init; }

    /// <summary>First send to last ack.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>From each send to its ack.</summary>
    public required LatencySummary AckLatency { get; init; }

    /// <summary>From each send's due time to its ack; null without an offered rate.</summary>
    public required LatencySummary? ScheduledLatency { get; init; }

    /// <summary>Event ids acknowledged as durable, over all streams.</summary>
    public required IReadOnlySet<string> Applied { get; init; }

    /// <summary>Event ids that got any answer, over all streams.</summary>
    public required IReadOnlySet<string> Answered { get; init; }

    /// <summary>Broken streams and sample rejection reasons, one line each.</summary>
    public required IReadOnlyList<string> Problems { get; init; }

    /// <summary>Acks received through each server address, in the order the addresses were given.</summary>
    public IReadOnlyList<int> AcknowledgedByEndpoint { get; init; } = [];

    /// <summary>Touchpoints durably acknowledged (accepted or duplicate) per second.</summary>
    public double AcknowledgedPerSecond => Elapsed > TimeSpan.Zero ? (Accepted + Duplicate) / Elapsed.TotalSeconds : 0;

    /// <summary>Every touchpoint was acknowledged as durable: none rejected, none lost with a broken stream.</summary>
    public bool Clean => Rejected == 0 && Unacknowledged == 0 && Problems.Count == 0;
}

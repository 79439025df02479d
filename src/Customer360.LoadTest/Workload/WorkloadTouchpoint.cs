using ApiTouchpoint = Customer360.Api.V1.Touchpoint;

namespace Customer360.LoadTest.Workload;

/// <summary>
/// One generated touchpoint, in the two shapes the benchmark needs: the API message the engine is
/// sent, and the log row the PostgreSQL baselines write for it (the columns of
/// <c>customer360_log</c>, with the payload and fingerprint the engine itself would store; the log
/// refers to the customer by a customer key, which each baseline gives its customers itself).
/// </summary>
internal sealed record WorkloadTouchpoint
{
    /// <summary>
    /// Which generated customer this belongs to, from 0; decides the engine stream it travels on,
    /// and the COPY baseline's customer key (this plus one).
    /// </summary>
    public required int CustomerIndex { get; init; }

    public required string CustomerId { get; init; }

    public required string EventId { get; init; }

    /// <summary>The touchpoint's place in its customer's log, from 1, as the engine numbers it.</summary>
    public required long Sequence { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The engine's digest of the touchpoint's content (<c>fingerprint</c> column).</summary>
    public required long Fingerprint { get; init; }

    /// <summary>The touchpoint as JSON, exactly as the engine writes it (<c>payload</c> column).</summary>
    public required string Payload { get; init; }

    /// <summary>The touchpoint's kind as in the API (<c>touchpoint_kind</c> column).</summary>
    public required short Kind { get; init; }

    /// <summary>The amount in the reporting currency, if any (<c>amount</c> column).</summary>
    public required decimal? ReportingAmount { get; init; }

    /// <summary>What the touchpoint adds to the customer's net spend: purchases add, returns subtract, contacts nothing.</summary>
    public required decimal NetSpendChange { get; init; }

    /// <summary>The message sent on <c>StreamTouchpoints</c>.</summary>
    public required ApiTouchpoint Message { get; init; }
}

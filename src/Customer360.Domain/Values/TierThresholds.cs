namespace Customer360.Domain.Values;

/// <summary>
/// Minimum value scores for each tier, in the reporting currency. A score at or above
/// <see cref="Platinum"/> is platinum, and so on down; anything below <see cref="Silver"/> is bronze.
/// </summary>
public sealed record TierThresholds
{
    public decimal Platinum { get; init; } = 5000m;

    public decimal Gold { get; init; } = 1000m;

    public decimal Silver { get; init; } = 200m;

    public ValueTier TierOf(decimal score) =>
        score >= Platinum ? ValueTier.Platinum
        : score >= Gold ? ValueTier.Gold
        : score >= Silver ? ValueTier.Silver
        : ValueTier.Bronze;

    /// <summary>Null when the thresholds are in order, otherwise what is wrong.</summary>
    public string? Problem() =>
        Silver < 0 ? "Silver must not be negative"
        : Gold < Silver ? "Gold must be at least Silver"
        : Platinum < Gold ? "Platinum must be at least Gold"
        : null;
}

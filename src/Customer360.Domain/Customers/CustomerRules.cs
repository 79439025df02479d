using Customer360.Domain.Values;

namespace Customer360.Domain.Customers;

/// <summary>The configurable rules a customer is kept by.</summary>
public sealed record CustomerRules
{
    /// <summary>How many recent touchpoints a customer keeps in its view, newest first by event time.</summary>
    public int RecentWindow { get; init; } = 50;

    /// <summary>
    /// How many of the most recently applied event ids a customer remembers for duplicate
    /// detection, by arrival order. A retry whose id has left this window is not recognised.
    /// </summary>
    public int IdempotencyWindow { get; init; } = 1024;

    /// <summary>Fixed tier thresholds of the fallback score, used until a value model has been fitted.</summary>
    public TierThresholds Tiers { get; init; } = new();

    /// <summary>The fitted value model customers are scored with; null before the first fit (the fallback score applies).</summary>
    public ValueModel? ValueModel { get; init; }
}

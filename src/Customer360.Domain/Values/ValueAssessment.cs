using Customer360.Domain.Values.Models;

namespace Customer360.Domain.Values;

/// <summary>
/// A customer's value: the score (the CLV, or the fallback score before the first fit), its
/// tier, and the model figures behind it.
/// </summary>
/// <param name="Score">In the reporting currency, rounded to cents, never negative.</param>
/// <param name="Model">The model that produced the score: <see cref="ValueModel.Name"/> or <see cref="FallbackValueScore.ModelName"/>.</param>
public sealed record ValueAssessment(decimal Score, ValueTier Tier, string Model, DateTimeOffset ComputedAt)
{
    /// <summary>The fitted model's version; 0 for the fallback score.</summary>
    public long ModelVersion { get; init; }

    /// <summary>True while no model has been fitted: the score is the documented fallback, not a CLV.</summary>
    public bool IsFallback => ModelVersion == 0;

    /// <summary>P(alive), expected purchases, expected spend and CLV; null with the fallback or before a first purchase.</summary>
    public CustomerValueEstimate? Estimate { get; init; }

    /// <summary>RFM quintile scores; null with the fallback or before a first purchase.</summary>
    public RfmScore? Rfm { get; init; }
}

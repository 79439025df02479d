using Customer360.Domain.Customers;
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

    /// <summary>
    /// Orders the assessments of one customer version: a newer model comes later, and with the
    /// same model a later scoring day (T grows with the clock, so a rescore on a later day is
    /// newer). Segments take a customer's update only if (version, revision) is higher than
    /// the one they hold, so a rescore reaches them while an older one arriving late does not.
    /// </summary>
    public long Revision => Revise(ModelVersion, DailyActivity.DayOf(ComputedAt));

    /// <summary>The revision of a score from model <paramref name="modelVersion"/> on <paramref name="day"/> (a <see cref="DateOnly.DayNumber"/>).</summary>
    public static long Revise(long modelVersion, int day) => (modelVersion * DaysPerModel) + day;

    // Day numbers stay below a million until the year 2738.
    private const long DaysPerModel = 1_000_000;
}

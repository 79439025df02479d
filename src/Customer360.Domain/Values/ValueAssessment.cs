using Customer360.Domain.Customers;

namespace Customer360.Domain.Values;

/// <summary>A customer's value score and tier, and which model produced them.</summary>
public sealed record ValueAssessment(decimal Score, ValueTier Tier, string Model, DateTimeOffset ComputedAt);

/// <summary>
/// The interim value score until the CLV model replaces it: net spend (purchases minus returns,
/// in the reporting currency) on the 365 UTC days ending today, floored at zero and rounded to
/// cents. It is recomputed whenever the customer changes; time passing alone does not move it.
/// </summary>
public static class InterimValueScore
{
    public const string ModelName = "interim-net-spend-365d";

    public const int WindowDays = 365;

    public static ValueAssessment Assess(CustomerAggregates aggregates, TierThresholds thresholds, DateTimeOffset now)
    {
        var today = DailyActivity.DayOf(now);
        var net = aggregates.NetSpendBetween(today - WindowDays + 1, today);
        var score = decimal.Round(Math.Max(0m, net), 2, MidpointRounding.ToEven);
        return new ValueAssessment(score, thresholds.TierOf(score), ModelName, now);
    }
}

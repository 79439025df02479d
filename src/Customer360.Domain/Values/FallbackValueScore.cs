using Customer360.Domain.Customers;

namespace Customer360.Domain.Values;

/// <summary>
/// The value score before the first successful fit of the lifetime-value models (the cold
/// start), labelled as such: net spend (purchases minus returns, in the reporting currency) on
/// the 365 UTC days ending today, floored at zero and rounded to cents, with the tier from the
/// configured fixed thresholds (Customer360:Tiers). It is recomputed whenever the customer
/// changes; time passing alone does not move it.
/// </summary>
public static class FallbackValueScore
{
    public const string ModelName = "fallback-net-spend-365d";

    public const int WindowDays = 365;

    public static ValueAssessment Assess(CustomerAggregates aggregates, TierThresholds thresholds, DateTimeOffset now)
    {
        var today = DailyActivity.DayOf(now);
        var net = aggregates.NetSpendBetween(today - WindowDays + 1, today);
        var score = decimal.Round(Math.Max(0m, net), 2, MidpointRounding.ToEven);
        return new ValueAssessment(score, thresholds.TierOf(score), ModelName, now);
    }
}

using Customer360.Domain.Customers;
using Customer360.Domain.Values.Models;

namespace Customer360.Domain.Values;

/// <summary>
/// Scores one customer from its live aggregates. With a fitted <see cref="ValueModel"/> the score
/// is the customer's discounted CLV (<see cref="CustomerLifetimeValue"/>) and the tier comes from
/// the model's CLV cut points; without one it is the labelled fallback
/// (<see cref="FallbackValueScore"/>). A customer who has never bought scores 0 under a model:
/// BG/NBD and Gamma-Gamma describe customers from their first purchase on.
/// </summary>
public static class ValueScorer
{
    public static ValueAssessment Assess(CustomerAggregates aggregates, ValueModel? model, TierThresholds fallbackTiers, DateTimeOffset now) =>
        model is null
            ? FallbackValueScore.Assess(aggregates, fallbackTiers, now)
            // The version does not enter the score.
            : Assess(CustomerValueSummary.Of(aggregates, 0), model, now);

    /// <summary>
    /// Scores a customer with a fitted <paramref name="model"/> from its value summary as of
    /// <paramref name="now"/>: the one path for a live customer and for the re-scoring sweep's
    /// customers that are not in memory.
    /// </summary>
    public static ValueAssessment Assess(CustomerValueSummary summary, ValueModel model, DateTimeOffset now)
    {
        var today = DailyActivity.DayOf(now);
        if (summary.ValueInputs(today) is not { } inputs)
        {
            return new ValueAssessment(0m, model.Tiers.TierOf(0m), model.Name, now) { ModelVersion = model.Version };
        }

        var estimate = Finite(CustomerLifetimeValue.Estimate(model.Purchasing, model.Spending, inputs, model.Lifetime));
        var score = ToCents(estimate.LifetimeValue);
        var (recency, frequency, monetary) = RfmFigures(summary.LastPurchaseDay!.Value, summary.PurchaseDays, summary.OccasionValue, today);
        return new ValueAssessment(score, model.Tiers.TierOf(score), model.Name, now)
        {
            ModelVersion = model.Version,
            Estimate = estimate,
            Rfm = model.Rfm.Score(recency, frequency, monetary),
        };
    }

    /// <summary>
    /// What RFM scores, for a customer with <paramref name="occasions"/> purchase occasions (at
    /// least one) worth <paramref name="occasionValue"/> in all, the last on <paramref name="lastDay"/>:
    /// recency in whole days from the last occasion to <paramref name="referenceDay"/> (at least 0),
    /// frequency in occasions, and monetary value as the mean value of an occasion, the first included.
    /// </summary>
    public static (double Recency, double Frequency, double Monetary) RfmFigures(int lastDay, int occasions, decimal occasionValue, int referenceDay) =>
        (Math.Max(0, referenceDay - lastDay), occasions, (double)(occasionValue / occasions));

    /// <summary>A score in cents, clamped to [0, 10¹⁵] so that it always fits a decimal and the API.</summary>
    public static decimal ToCents(double value) =>
        double.IsFinite(value) ? decimal.Round((decimal)Math.Clamp(value, 0, 1e15), 2, MidpointRounding.ToEven) : 0m;

    // The formulas return finite figures for every fitted model (their tests check the edges);
    // this keeps a NaN or an infinity from ever reaching a view should that change.
    private static CustomerValueEstimate Finite(CustomerValueEstimate e) => new(
        Clean(e.ProbabilityAlive), Clean(e.ExpectedPurchases90Days), Clean(e.ExpectedPurchases12Months), Clean(e.ExpectedAverageSpend), Clean(e.LifetimeValue));

    private static double Clean(double value) => double.IsFinite(value) ? Math.Max(0, value) : 0;
}

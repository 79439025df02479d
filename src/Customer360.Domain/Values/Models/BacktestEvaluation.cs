namespace Customer360.Domain.Values.Models;

/// <summary>
/// How a BG/NBD model's predictions for a holdout compare with what its cohort did (see
/// <see cref="BacktestCohort"/>). Purchases are purchase occasions: distinct UTC days with a purchase.
/// </summary>
/// <param name="Customers">The cohort: customers with a purchase on or before the calibration day.</param>
/// <param name="PredictedPurchases">Σ E[Y(holdout)] over the cohort.</param>
/// <param name="ActualPurchases">The cohort's purchase occasions in the holdout.</param>
/// <param name="Correlation">
/// Pearson's r between each customer's predicted and actual holdout purchases; NaN when either
/// side is the same for every customer (or the cohort is empty), where r is undefined.
/// </param>
/// <param name="MeanAbsoluteError">Mean over the cohort of |predicted − actual|; NaN for an empty cohort.</param>
/// <param name="PredictedCumulative">Entry w − 1: Σ E[Y(w)] over the cohort, for weeks w = 1 to the holdout's length.</param>
/// <param name="ActualCumulative">Entry w − 1: the cohort's purchase occasions in the first w weeks of the holdout.</param>
public sealed record BacktestEvaluation(
    int Customers,
    double PredictedPurchases,
    long ActualPurchases,
    double Correlation,
    double MeanAbsoluteError,
    IReadOnlyList<double> PredictedCumulative,
    IReadOnlyList<long> ActualCumulative);

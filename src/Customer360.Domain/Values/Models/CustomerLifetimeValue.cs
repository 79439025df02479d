namespace Customer360.Domain.Values.Models;

/// <summary>Settings of the discounted CLV.</summary>
public sealed record CustomerLifetimeValueOptions
{
    /// <summary>Months of future purchases counted.</summary>
    public int HorizonMonths { get; init; } = 12;

    /// <summary>Annual discount rate d, e.g. 0.10 for 10%; applied monthly as (1 + d)^(1/12) − 1.</summary>
    public double AnnualDiscountRate { get; init; } = 0.10;

    /// <summary>Null when the options are usable, otherwise what is wrong.</summary>
    public string? Problem() =>
        HorizonMonths is < 1 or > 1200 ? "HorizonMonths must be between 1 and 1200"
        : !double.IsFinite(AnnualDiscountRate) || AnnualDiscountRate <= -1 ? "AnnualDiscountRate must be finite and above -1"
        : null;
}

/// <summary>One customer's value figures under fitted BG/NBD and Gamma-Gamma models.</summary>
/// <param name="ProbabilityAlive">P(alive | x, t_x, T).</param>
/// <param name="ExpectedPurchases90Days">E[Y(t) | x, t_x, T] for t = 90 days = 90/7 weeks.</param>
/// <param name="ExpectedPurchases12Months">E[Y(t) | x, t_x, T] for t = 52 weeks.</param>
/// <param name="ExpectedAverageSpend">E(M | x, m̄), the expected value of a future occasion.</param>
/// <param name="LifetimeValue">The discounted CLV over the horizon (see <see cref="CustomerLifetimeValue"/>).</param>
public sealed record CustomerValueEstimate(
    double ProbabilityAlive,
    double ExpectedPurchases90Days,
    double ExpectedPurchases12Months,
    double ExpectedAverageSpend,
    double LifetimeValue);

/// <summary>
/// Discounted customer lifetime value from BG/NBD purchases and Gamma-Gamma spend, in the
/// manner of Fader, Hardie &amp; Lee (2005, "RFM and CLV") with a monthly discrete discount:
/// <code>
/// CLV = Σ_{k=1..H} E(M | x, m̄) · (E[Y(k months)] − E[Y((k−1) months)]) / (1 + d_m)^k,
/// d_m = (1 + d)^(1/12) − 1,  one month = 52/12 weeks,
/// </code>
/// with H the horizon in months, d the annual discount rate and E[Y(t)] the BG/NBD conditional
/// expectation. Purchases expected in month k are valued at the customer's expected spend and
/// discounted to the end of that month.
/// </summary>
public static class CustomerLifetimeValue
{
    public const double WeeksPerMonth = 52.0 / 12.0;

    public const double WeeksPer90Days = 90.0 / 7.0;

    public static CustomerValueEstimate Estimate(
        BgNbdParameters purchasing,
        GammaGammaParameters spending,
        CustomerValueInputs customer,
        CustomerLifetimeValueOptions? options = null)
    {
        options ??= new CustomerLifetimeValueOptions();
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var spend = GammaGammaModel.ExpectedAverageSpend(spending, customer);
        var monthlyFactor = 1 / Math.Pow(1 + options.AnnualDiscountRate, 1.0 / 12.0);
        var value = 0.0;
        var discount = 1.0;
        var previous = 0.0;
        var twelveMonths = 0.0;
        for (var k = 1; k <= options.HorizonMonths; k++)
        {
            var cumulative = BgNbdModel.ExpectedPurchases(purchasing, customer, k * WeeksPerMonth);
            discount *= monthlyFactor;
            value += spend * Math.Max(0, cumulative - previous) * discount;
            previous = cumulative;
            if (k == 12)
            {
                twelveMonths = cumulative;
            }
        }

        if (options.HorizonMonths < 12)
        {
            twelveMonths = BgNbdModel.ExpectedPurchases(purchasing, customer, 52);
        }

        return new CustomerValueEstimate(
            BgNbdModel.ProbabilityAlive(purchasing, customer),
            BgNbdModel.ExpectedPurchases(purchasing, customer, WeeksPer90Days),
            twelveMonths,
            spend,
            value);
    }
}

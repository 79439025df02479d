using Customer360.Domain.Values.Models;

namespace Customer360.Domain.Tests.Values.Models;

/// <summary>
/// The discounted CLV against reference/compute_reference.py (mpmath at 50 digits: a direct sum
/// over months of E(M) · ΔE[Y] / (1 + d_m)^k with hyp2f1 for E[Y]); CDNOW BG/NBD parameters and
/// Gamma-Gamma p = 6.25, q = 3.74, γ = 15.44.
/// </summary>
public sealed class CustomerLifetimeValueTests
{
    private static readonly BgNbdParameters Purchasing = new(0.243, 4.414, 0.793, 2.426);
    private static readonly GammaGammaParameters Spending = new(6.25, 3.74, 15.44);

    [Theory]
    [InlineData(2, 30.43, 38.86, 35.0, 12, 0.10, 52.062273332140982471)]
    [InlineData(0, 0.0, 38.86, 0.0, 12, 0.10, 8.4524535974952566655)]
    [InlineData(2, 30.43, 38.86, 35.0, 36, 0.0, 124.45840250927854712)]
    [InlineData(500, 70.0, 78.0, 20.0, 12, 0.25, 1.9093788474447676663e-16)]
    public void MatchesReference(int x, double tx, double t, double meanValue, int months, double annualRate, double expected)
    {
        var options = new CustomerLifetimeValueOptions { HorizonMonths = months, AnnualDiscountRate = annualRate };

        var estimate = CustomerLifetimeValue.Estimate(Purchasing, Spending, new CustomerValueInputs(x, tx, t, meanValue), options);

        Reference.Close(expected, estimate.LifetimeValue, 1e-11);
    }

    [Fact]
    public void CarriesTheModelsSeparateFigures()
    {
        var estimate = CustomerLifetimeValue.Estimate(Purchasing, Spending, new CustomerValueInputs(2, 30.43, 38.86, 35.0));

        Reference.Close(0.72657857008067291068, estimate.ProbabilityAlive, 1e-12);
        Reference.Close(0.4525011247637364653, estimate.ExpectedPurchases90Days, 1e-11);
        Reference.Close(1.5587208064320879553, estimate.ExpectedPurchases12Months, 1e-11);
        Reference.Close(35.03937007874015748, estimate.ExpectedAverageSpend, 1e-14);
        Reference.Close(52.062273332140982471, estimate.LifetimeValue, 1e-11);
    }

    [Fact]
    public void DiscountingLowersTheValue()
    {
        var customer = new CustomerValueInputs(2, 30.43, 38.86, 35.0);

        var undiscounted = CustomerLifetimeValue.Estimate(Purchasing, Spending, customer, new CustomerLifetimeValueOptions { AnnualDiscountRate = 0 });
        var discounted = CustomerLifetimeValue.Estimate(Purchasing, Spending, customer);

        // Without discounting the CLV is E(M) · E[Y(12 months)].
        Reference.Close(35.03937007874015748 * 1.5587208064320879553, undiscounted.LifetimeValue, 1e-11);
        Assert.True(discounted.LifetimeValue < undiscounted.LifetimeValue);
    }

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(12, -1.0)]
    [InlineData(12, double.NaN)]
    public void RejectsUnusableOptions(int months, double rate)
    {
        var options = new CustomerLifetimeValueOptions { HorizonMonths = months, AnnualDiscountRate = rate };

        Assert.Throws<ArgumentException>(() => CustomerLifetimeValue.Estimate(Purchasing, Spending, new CustomerValueInputs(0, 0, 1, 0), options));
    }
}

using Customer360.Domain.Values.Models;

namespace Customer360.Domain.Tests.Values.Models;

/// <summary>
/// Gamma-Gamma formulas against reference/compute_reference.py (mpmath at 50 digits, from Fader
/// &amp; Hardie 2013 and Fader, Hardie &amp; Lee 2005, "RFM and CLV"), with p = 6.25, q = 3.74, γ = 15.44.
/// </summary>
public sealed class GammaGammaModelTests
{
    private static readonly GammaGammaParameters Spending = new(6.25, 3.74, 15.44);

    [Theory]
    [InlineData(2, 35.0, -4.095817314648980159, 35.03937007874015748)]
    [InlineData(1, 0.5, -14.978709197822997405, 11.081757508342602892)]
    [InlineData(500, 20.0, -3.4100955993004710238, 20.013332310230389994)]
    public void MatchesReference(int x, double meanValue, double logLikelihood, double expectedSpend)
    {
        var customer = new CustomerValueInputs(x, 1, 2, meanValue);

        // ln Γ(px + q) − ln Γ(px) near px = 3125 is a difference of numbers near 22,000: absolute
        // error about 1e-12 in double, hence 1e-11 relative on a log-likelihood near −3.4.
        Reference.Close(logLikelihood, GammaGammaModel.LogLikelihood(Spending, customer), 1e-11);
        Reference.Close(expectedSpend, GammaGammaModel.ExpectedAverageSpend(Spending, customer), 1e-14);
    }

    [Fact]
    public void ACustomerWithoutRepeatsIsExpectedToSpendThePopulationMean()
    {
        var spend = GammaGammaModel.ExpectedAverageSpend(Spending, new CustomerValueInputs(0, 0, 10, 0));

        Reference.Close(35.218978102189781022, spend, 1e-14);
        Reference.Close(Spending.PopulationMeanSpend!.Value, spend, 1e-14);
    }

    [Fact]
    public void ExpectedSpendNeedsQAboveOne()
    {
        var heavyTailed = new GammaGammaParameters(2, 0.9, 10);

        Assert.Null(heavyTailed.PopulationMeanSpend);
        Assert.Throws<InvalidOperationException>(() => GammaGammaModel.ExpectedAverageSpend(heavyTailed, new CustomerValueInputs(0, 0, 1, 0)));
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(2, 0.0)]
    public void TheLikelihoodNeedsAValuedRepeat(int x, double meanValue)
    {
        var customer = new CustomerValueInputs(x, x == 0 ? 0 : 1, 2, meanValue);

        Assert.Throws<ArgumentOutOfRangeException>(() => GammaGammaModel.LogLikelihood(Spending, customer));
    }
}

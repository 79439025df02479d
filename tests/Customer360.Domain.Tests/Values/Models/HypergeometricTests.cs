using Customer360.Domain.Values.Models;

namespace Customer360.Domain.Tests.Values.Models;

/// <summary>2F1 against mpmath.hyp2f1 at 50 digits (reference/compute_reference.py, section "Gauss 2F1").</summary>
public sealed class HypergeometricTests
{
    [Theory]
    [InlineData(0.5, 1.5, 2.5, 0.3, 1.1080625510569319933)]
    // The arguments of E[Y(39)] for the paper's example customer: r+x, b+x, a+b+x-1, t/(alpha+T+t).
    [InlineData(2.243, 4.426, 3.219, 39 / (4.414 + 38.86 + 39), 7.6241574983829697794)]
    [InlineData(1, 1, 2, 0.95, 3.1534023932147273615)]
    [InlineData(10, 12, 3.5, 0.8, 1489436969940143.9914)]
    [InlineData(-3, 2, 1.5, 0.7, -0.0752)]
    [InlineData(0.3, 0.7, -0.5, 0.6, -0.47260199261182229888)]
    [InlineData(0.5, 0.5, 1.5, -3, 0.76034599630094634753)]
    [InlineData(500.243, 502.426, 502.219, 0.2, 3.1517025908330751916e+48)]
    public void MatchesMpmath(double a, double b, double c, double z, double expected)
    {
        Reference.Close(expected, Hypergeometric.Gauss2F1(a, b, c, z));
    }

    [Theory]
    // c - a - b = 0.6: the transformation to 1 - z.
    [InlineData(1.2, 2.3, 4.1, 0.999, 5.6283187878384047721)]
    // c - a - b = -0.45: the function diverges at z = 1.
    [InlineData(0.243, 2.426, 2.219, 0.9999, 29.996187028100079879)]
    // c - a - b = 0.01, too close to an integer for the transformation: the long series.
    [InlineData(1.5, 2.0, 3.51, 0.99999, 35.342203161920806045)]
    public void ConvergesNearOne(double a, double b, double c, double z, double expected)
    {
        Reference.Close(expected, Hypergeometric.Gauss2F1(a, b, c, z), 1e-11);
    }

    [Fact]
    public void IsOneAtZero()
    {
        Assert.Equal(1.0, Hypergeometric.Gauss2F1(3.3, -2.2, 1.1, 0));
    }

    [Theory]
    [InlineData(1.0, 1.0, 2.0, 1.0)]
    [InlineData(1.0, 1.0, 0.0, 0.5)]
    [InlineData(1.0, 1.0, -2.0, 0.5)]
    [InlineData(double.NaN, 1.0, 2.0, 0.5)]
    public void RejectsArgumentsOutsideItsDomain(double a, double b, double c, double z)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Hypergeometric.Gauss2F1(a, b, c, z));
    }
}

using Customer360.Domain.Values.Models;

namespace Customer360.Domain.Tests.Values.Models;

/// <summary>
/// BG/NBD formulas against reference/compute_reference.py (mpmath at 50 digits, from Fader,
/// Hardie &amp; Lee 2005, eq. 6, 10 and 13). The parameters are the paper's CDNOW estimates.
/// </summary>
public sealed class BgNbdModelTests
{
    private static readonly BgNbdParameters Cdnow = new(0.243, 4.414, 0.793, 2.426);

    public static TheoryData<string, int, double, double, double, double> LikelihoodAndAlive => new()
    {
        { "no repeat", 0, 0, 38.86, -0.55471327643815845108, 1.0 },
        { "paper example", 2, 30.43, 38.86, -9.4586063070662712451, 0.72657857008067291068 },
        { "repeat on the last day", 4, 20, 20, -13.06494236889807277, 0.87248753818941952082 },
        { "500 repeats, long silent", 500, 70, 78, 439.08847611011982871, 4.1398614437471524305e-20 },
        { "500 repeats, last on the last day", 500, 78, 78, 394.45901681017610884, 0.99842100756841139025 },
        { "T near 0", 0, 0, 1e-6, -5.5052100696409309275e-8, 1.0 },
        { "T near 0 with repeats", 3, 5e-7, 1e-6, -5.3347280450038118871, 0.84805513564891346887 },
    };

    public static TheoryData<string, int, double, double, double, double> Expectations => new()
    {
        { "no repeat", 0, 0, 38.86, 39, 0.19509805201126263869 },
        { "no repeat", 0, 0, 38.86, 52, 0.25207302228245892842 },
        { "no repeat", 0, 0, 38.86, 90.0 / 7, 0.069188852307626175201 },
        // The paper's worked example: E[Y(39) | x = 2, t_x = 30.43, T = 38.86] = 1.226.
        { "paper example", 2, 30.43, 38.86, 39, 1.2260281747671444463 },
        { "paper example", 2, 30.43, 38.86, 52, 1.5587208064320879553 },
        { "paper example", 2, 30.43, 38.86, 90.0 / 7, 0.4525011247637364653 },
        { "repeat on the last day", 4, 20, 20, 39, 4.2739996635318118583 },
        { "repeat on the last day", 4, 20, 20, 52, 5.2875924242619431608 },
        { "repeat on the last day", 4, 20, 20, 90.0 / 7, 1.7090767128208674509 },
        { "500 repeats, long silent", 500, 70, 78, 39, 8.358914160274064474e-18 },
        { "500 repeats, long silent", 500, 70, 78, 52, 1.0668096896134913214e-17 },
        { "500 repeats, long silent", 500, 70, 78, 90.0 / 7, 3.0484319818205238778e-18 },
        { "500 repeats, last on the last day", 500, 78, 78, 39, 201.59407776035749357 },
        { "500 repeats, last on the last day", 500, 78, 78, 52, 257.28523035388335328 },
        { "500 repeats, last on the last day", 500, 78, 78, 90.0 / 7, 73.519816354967595696 },
        { "T near 0", 0, 0, 1e-6, 39, 1.1967230107692769195 },
        { "T near 0", 0, 0, 1e-6, 52, 1.446050384904967105 },
        { "T near 0", 0, 0, 1e-6, 90.0 / 7, 0.52976915030381395723 },
        { "T near 0 with repeats", 3, 5e-7, 1e-6, 39, 9.8988205956403865892 },
        { "T near 0 with repeats", 3, 5e-7, 1e-6, 52, 11.528308262400415927 },
        { "T near 0 with repeats", 3, 5e-7, 1e-6, 90.0 / 7, 5.0019650472479432073 },
    };

    [Theory]
    [MemberData(nameof(LikelihoodAndAlive))]
    public void LogLikelihoodMatchesReference(string customer, int x, double tx, double t, double expected, double _)
    {
        Assert.NotNull(customer);
        Reference.Close(expected, BgNbdModel.LogLikelihood(Cdnow, new CustomerValueInputs(x, tx, t, x == 0 ? 0 : 1)), 1e-11);
    }

    [Theory]
    [MemberData(nameof(LikelihoodAndAlive))]
    public void ProbabilityAliveMatchesReference(string customer, int x, double tx, double t, double _, double expected)
    {
        Assert.NotNull(customer);
        Reference.Close(expected, BgNbdModel.ProbabilityAlive(Cdnow, new CustomerValueInputs(x, tx, t, x == 0 ? 0 : 1)), 1e-11);
    }

    [Theory]
    [MemberData(nameof(Expectations))]
    public void ExpectedPurchasesMatchReference(string customer, int x, double tx, double t, double weeks, double expected)
    {
        Assert.NotNull(customer);
        Reference.Close(expected, BgNbdModel.ExpectedPurchases(Cdnow, new CustomerValueInputs(x, tx, t, x == 0 ? 0 : 1), weeks), 1e-11);
    }

    [Theory]
    // a > 1, a = 1 (the paper's formula is 0/0 there) and a + b + x - 1 = 0 (likewise for x = 0).
    [InlineData(1.7, 12.5, 2.5, 6.0, 0, 0, 38.86, -2.4023227256248655007, 1.2421204306256111112)]
    [InlineData(1.7, 12.5, 2.5, 6.0, 2, 30.43, 38.86, -8.8831540717827408458, 1.4172983296937654202)]
    [InlineData(0.5, 3.0, 1.0, 2.0, 0, 0, 38.86, -1.317859214174871991, 0.49008715714020705382)]
    [InlineData(0.5, 3.0, 1.0, 2.0, 2, 30.43, 38.86, -9.3068674689407591623, 1.419240164002237793)]
    [InlineData(0.4, 2.0, 0.3, 0.7, 0, 0, 38.86, -1.2068017635318122759, 0.4235507890566628257)]
    [InlineData(0.4, 2.0, 0.3, 0.7, 2, 30.43, 38.86, -9.4581787176863067868, 2.007277019005420507)]
    public void OtherParameterRegionsMatchReference(double r, double alpha, double a, double b, int x, double tx, double t, double logLikelihood, double expected52)
    {
        var parameters = new BgNbdParameters(r, alpha, a, b);
        var customer = new CustomerValueInputs(x, tx, t, x == 0 ? 0 : 1);

        Reference.Close(logLikelihood, BgNbdModel.LogLikelihood(parameters, customer), 1e-11);
        Reference.Close(expected52, BgNbdModel.ExpectedPurchases(parameters, customer, 52), 1e-11);
    }

    [Theory]
    // alpha + T is tiny against t = 52 weeks, so z = t/(alpha+T+t) is within 2e-4 of 1: the
    // series needs the transformation to 1 - z, or, when r = a makes its gap an integer, the
    // long series.
    [InlineData(0.5, 0, 0, 29.558798044474541396)]
    [InlineData(0.5, 3, 5e-7, 91.22028862992592737)]
    [InlineData(0.8, 0, 0, 36.518912820869897582)]
    [InlineData(0.8, 3, 5e-7, 93.324027279301683401)]
    public void ExpectedPurchasesConvergeWithZNearOne(double r, int x, double tx, double expected)
    {
        var parameters = new BgNbdParameters(r, 0.01, 0.8, 2.5);
        var customer = new CustomerValueInputs(x, tx, 1e-6, x == 0 ? 0 : 1);

        Reference.Close(expected, BgNbdModel.ExpectedPurchases(parameters, customer, 52), 1e-11);
    }

    [Theory]
    // a and b in the millions: every customer drops out with nearly the same probability, where
    // a fit on a small population can land. The tail series would need millions of terms here.
    [InlineData(0, 0, 74.14, 13, 0.034689082114148461802)]
    [InlineData(0, 0, 74.14, 52, 0.13173259574264454882)]
    [InlineData(1, 12.57, 76, 13, 0.078643619377449657517)]
    [InlineData(1, 12.57, 76, 52, 0.2870884511846771055)]
    [InlineData(6, 40, 60, 13, 0.34179167585949716062)]
    [InlineData(6, 40, 60, 52, 0.97683442733217783819)]
    public void ExpectedPurchasesWithNearlyConstantDropoutMatchReference(int x, double tx, double t, double weeks, double expected)
    {
        var parameters = new BgNbdParameters(0.2208, 7.114, 7.097e6, 3.049e7);

        Reference.Close(expected, BgNbdModel.ExpectedPurchases(parameters, new CustomerValueInputs(x, tx, t, x == 0 ? 0 : 1), weeks), 1e-11);
    }

    [Theory]
    // Customers rarely drop out (b in the tens of thousands) and buy fast (small alpha), and the
    // customer bought first today or yesterday: z is within 1% of 1, and the transformation to
    // 1 - z sums terms near e^38 to a result of a few hundred. The reference integrates over the
    // dropout probability instead of using 2F1 ("Integrated." in the script's output).
    [InlineData(1, 0.2, 0.9, 10000, 0, 0, 0, 13, 64.624392694602433455)]
    [InlineData(1, 0.2, 0.9, 10000, 0, 0, 0, 52, 254.19640591434141837)]
    [InlineData(1, 0.2, 0.9, 10000, 1, 1.0 / 7, 1.0 / 7, 13, 75.442121908071667401)]
    [InlineData(1, 0.2, 0.9, 10000, 1, 1.0 / 7, 1.0 / 7, 52, 297.32326882501211713)]
    [InlineData(1, 0.2, 0.5, 10000, 0, 0, 0, 52, 256.74409734045501936)]
    [InlineData(1, 0.05, 1.5, 30000, 1, 1.0 / 7, 1.0 / 7, 52, 528.64309942018733078)]
    public void ExpectedPurchasesOfNewCustomersWhenDropoutIsRareMatchIntegration(
        double r, double alpha, double a, double b, int x, double tx, double t, double weeks, double expected)
    {
        var parameters = new BgNbdParameters(r, alpha, a, b);

        Reference.Close(expected, BgNbdModel.ExpectedPurchases(parameters, new CustomerValueInputs(x, tx, t, x == 0 ? 0 : 1), weeks), 1e-10);
    }

    [Theory]
    // Dropout frequent (a = 100, far above 1) and a customer who bought on each of the last 1,001
    // days, over one, five and ten years: in the paper's form 2F1(r+x, b+x; c; z) exceeds the
    // range of a double. Reference by direct integration ("Integrated.FrequentDropout").
    [InlineData(52, 10.191919191910096163)]
    [InlineData(260, 10.191919191919191919)]
    [InlineData(520, 10.191919191919191919)]
    public void ExpectedPurchasesOfADailyBuyerOverLongHorizonsMatchIntegration(double weeks, double expected)
    {
        var parameters = new BgNbdParameters(0.5, 2, 100, 10);

        Reference.Close(expected, BgNbdModel.ExpectedPurchases(parameters, new CustomerValueInputs(1000, 1000.0 / 7, 1000.0 / 7, 1), weeks), 1e-10);
    }

    [Theory]
    // Purchase rates much alike across customers (r = 80 or 150, far above a + b): the series of
    // the tail form alternates, with terms up to 10^40 above its sum. Reference from
    // compute_reference.py ("R80." and "R150."), which direct integration confirms.
    [InlineData(80, 2.5, 0, 0, 1.0 / 7, 32.462051697368857022)]
    [InlineData(80, 2.5, 0, 0, 10, 20.742010931991194068)]
    [InlineData(80, 2.5, 2, 5, 10, 8.7549779231096606897e-17)]
    [InlineData(150, 5, 0, 0, 1.0 / 7, 32.157399758632999972)]
    [InlineData(150, 5, 0, 0, 10, 23.757043202950474697)]
    [InlineData(150, 5, 2, 5, 10, 2.6906865330623561269e-25)]
    public void ExpectedPurchasesWhenPurchaseRatesAreMuchAlikeMatchReference(double r, double alpha, int x, double tx, double t, double expected)
    {
        var parameters = new BgNbdParameters(r, alpha, 0.8, 2.5);

        Reference.Close(expected, BgNbdModel.ExpectedPurchases(parameters, new CustomerValueInputs(x, tx, t, x == 0 ? 0 : 1), 52), 1e-10);
    }

    [Theory]
    // No repeat purchase with a + b < 1 and r near 80: the tail form's terms alternate as above,
    // and the paper's form is no way out, its c = a + b − 1 being below 0. Reference from
    // compute_reference.py ("R80SmallAB.", "R80SmallA.", "R75SmallB."), which direct integration
    // confirms to 15 digits where a ≥ 0.5. Before, these came out as 0, or 2248 for 61.6.
    [InlineData(80, 2.5, 0.5, 0.3, 1.0 / 7, 13, 15.802158649932353435)]
    [InlineData(80, 2.5, 0.5, 0.3, 1.0 / 7, 52, 31.225042213923349844)]
    [InlineData(80, 2.5, 0.5, 0.3, 10, 13, 7.4583079935101877808)]
    [InlineData(80, 2.5, 0.5, 0.3, 10, 52, 14.561924453372169118)]
    [InlineData(80, 2.5, 0.5, 0.3, 38.86, 13, 4.2413030526446033718)]
    [InlineData(80, 2.5, 0.5, 0.3, 38.86, 52, 8.1663573911777230428)]
    [InlineData(80, 2.5, 0.3, 0.5, 1.0 / 7, 13, 61.644930052633067874)]
    [InlineData(80, 2.5, 0.3, 0.5, 1.0 / 7, 52, 162.32225493441858866)]
    [InlineData(80, 2.5, 0.3, 0.5, 10, 13, 20.893894622617849989)]
    [InlineData(80, 2.5, 0.3, 0.5, 10, 52, 54.844597748916944653)]
    [InlineData(80, 2.5, 0.3, 0.5, 38.86, 13, 9.1153716149483599464)]
    [InlineData(80, 2.5, 0.3, 0.5, 38.86, 52, 23.837943740763586968)]
    [InlineData(75, 3, 0.7, 0.25, 1.0 / 7, 13, 5.4574987413061636423)]
    [InlineData(75, 3, 0.7, 0.25, 1.0 / 7, 52, 8.1904862137156881042)]
    [InlineData(75, 3, 0.7, 0.25, 10, 13, 3.6143601981088520334)]
    [InlineData(75, 3, 0.7, 0.25, 10, 52, 5.4044251558211050643)]
    [InlineData(75, 3, 0.7, 0.25, 38.86, 13, 2.5772411293089251415)]
    [InlineData(75, 3, 0.7, 0.25, 38.86, 52, 3.8483891669232245353)]
    public void ExpectedPurchasesWithoutRepeatsWhenAPlusBIsBelowOneAndRIsLargeMatchReference(
        double r, double alpha, double a, double b, double weeksObserved, double weeks, double expected)
    {
        var parameters = new BgNbdParameters(r, alpha, a, b);

        Reference.Close(expected, BgNbdModel.ExpectedPurchases(parameters, new CustomerValueInputs(0, 0, weeksObserved, 0), weeks), 1e-10);
    }

    [Fact]
    public void NoRepeatIsCertainlyAlive()
    {
        Assert.Equal(1.0, BgNbdModel.ProbabilityAlive(Cdnow, new CustomerValueInputs(0, 0, 500, 0)));
    }

    [Fact]
    public void NothingIsExpectedInZeroWeeks()
    {
        Assert.Equal(0.0, BgNbdModel.ExpectedPurchases(Cdnow, new CustomerValueInputs(3, 10, 20, 5), 0));
    }

    [Fact]
    public void ExtremeCustomersGiveFiniteFigures()
    {
        var parameters = new BgNbdParameters(1e-3, 1e-3, 50, 1e-3);
        foreach (var customer in new[]
        {
            new CustomerValueInputs(0, 0, 0, 0),
            new CustomerValueInputs(100_000, 1e-9, 1e-9, 1),
            new CustomerValueInputs(100_000, 0, 5_000, 1),
            new CustomerValueInputs(1, 5_000, 5_000, 1),
        })
        {
            Assert.True(double.IsFinite(BgNbdModel.LogLikelihood(parameters, customer)));
            var alive = BgNbdModel.ProbabilityAlive(parameters, customer);
            Assert.InRange(alive, 0, 1);
            var expected = BgNbdModel.ExpectedPurchases(parameters, customer, 260);
            Assert.True(double.IsFinite(expected) && expected >= 0, $"E[Y] = {expected}");
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void RejectsAnUnusableHorizon(double weeks)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BgNbdModel.ExpectedPurchases(Cdnow, new CustomerValueInputs(0, 0, 1, 0), weeks));
    }

    [Theory]
    [InlineData(0, 1, 1, 1)]
    [InlineData(1, -1, 1, 1)]
    [InlineData(1, 1, double.NaN, 1)]
    [InlineData(1, 1, 1, double.PositiveInfinity)]
    public void ParametersMustBePositiveAndFinite(double r, double alpha, double a, double b)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BgNbdParameters(r, alpha, a, b));
    }
}

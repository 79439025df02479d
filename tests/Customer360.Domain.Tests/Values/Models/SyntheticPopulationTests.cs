using Customer360.Domain.Values.Models;
using Customer360.Domain.Values.Models.Synthetic;

namespace Customer360.Domain.Tests.Values.Models;

public sealed class SyntheticPopulationTests
{
    private static readonly SyntheticPopulationOptions Options = new()
    {
        Purchasing = new BgNbdParameters(0.24, 4.41, 0.79, 2.43),
        Spending = new GammaGammaParameters(6.25, 3.74, 15.44),
        Seed = 42,
    };

    [Fact]
    public void TheSameSeedDrawsTheSameCustomers()
    {
        var first = SyntheticPopulation.Generate(Options, 500).ToList();
        var again = SyntheticPopulation.Generate(Options, 500).ToList();
        var other = SyntheticPopulation.Generate(Options with { Seed = 43 }, 500).ToList();

        Assert.Equal(first.Select(c => c.Purchases.ToArray()), again.Select(c => c.Purchases.ToArray()));
        Assert.NotEqual(first.Select(c => c.Purchases[0]), other.Select(c => c.Purchases[0]));
    }

    [Fact]
    public void PurchasesFallInTheObservationPeriodFirstOneInTheAcquisitionPeriod()
    {
        foreach (var customer in SyntheticPopulation.Generate(Options, 2_000))
        {
            Assert.InRange(customer.Purchases[0].Week, 0, Options.AcquisitionWeeks);
            Assert.All(customer.Purchases, p => Assert.True(p.Amount > 0 && p.Week <= Options.ObservationWeeks));
            Assert.True(customer.Purchases.Zip(customer.Purchases.Skip(1)).All(pair => pair.First.Week < pair.Second.Week));
            var inputs = customer.Inputs;
            Assert.Equal(customer.Purchases.Count - 1, inputs.X);
            Assert.Equal(Options.ObservationWeeks - customer.Purchases[0].Week, inputs.T, 12);
        }
    }

    /// <summary>
    /// With everyone acquired at week 0, the mean number of repeat purchases in 52 weeks must match
    /// the BG/NBD's unconditional expectation E[X(52)] (the conditional one at x = t_x = T = 0),
    /// within 4 standard errors of the sample mean.
    /// </summary>
    [Fact]
    public void RepeatPurchasesMatchTheModelsExpectation()
    {
        var options = Options with { AcquisitionWeeks = 0, ObservationWeeks = 52 };
        var repeats = SyntheticPopulation.Generate(options, 20_000).Select(c => (double)c.Inputs.X).ToArray();
        var mean = repeats.Average();
        var standardError = Math.Sqrt(repeats.Sum(x => (x - mean) * (x - mean)) / (repeats.Length - 1) / repeats.Length);

        var expected = BgNbdModel.ExpectedPurchases(options.Purchasing, new CustomerValueInputs(0, 0, 0, 0), 52);

        Assert.InRange(mean, expected - (4 * standardError), expected + (4 * standardError));
    }

    [Fact]
    public void DroppedOutCustomersStopBuying()
    {
        var customers = SyntheticPopulation.Generate(Options with { Purchasing = new BgNbdParameters(2, 1, 50, 1) }, 500).ToList();

        // Dropout after nearly every repeat purchase: at most one repeat, and nobody active after one.
        Assert.True(customers.Average(c => c.Inputs.X) < 1.1);
        Assert.All(customers.Where(c => c.Inputs.X > 0 && !c.ActiveAtEnd), c => Assert.InRange(c.Inputs.X, 1, 3));
    }

    [Fact]
    public void RejectsAnObservationShorterThanAcquisition()
    {
        Assert.Throws<ArgumentException>(() => SyntheticPopulation.Generate(Options with { ObservationWeeks = 5 }, 1));
    }
}

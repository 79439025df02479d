using Customer360.Domain.Values.Models;
using Customer360.Domain.Values.Models.Synthetic;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;
using SpecialFunctions = MathNet.Numerics.SpecialFunctions;

namespace Customer360.Domain.Tests.Values.Models;

/// <summary>
/// Populations whose spend is flat, where the ordinary Gamma-Gamma estimate does not exist and
/// the fit settles on a limit of the model (<see cref="GammaGammaLimit"/>). Before the limits,
/// every one of these fits failed (the optimiser did not converge, or a parameter ran off to
/// infinity), and no value model was made:
/// <list type="number">
/// <item>every purchase at one price: p and q both run off to infinity (γ stays finite, with
/// p γ / (q − 1) at the price), and the likelihood grows without bound;</item>
/// <item>fixed plans, each customer always paying the same, customers paying different
/// amounts: p runs off to infinity and γ to 0, with p·γ and q finite;</item>
/// <item>spend varying within customers around one mean for all: q and γ run off to infinity
/// with q/γ and p finite, whenever the sample shows no more spread between customers than the
/// spread within them explains (about every other sample; otherwise q is large but finite and
/// the fit is ordinary).</item>
/// </list>
/// The customers' purchase histories are drawn from BG/NBD with the CDNOW estimates, and each
/// test sets what their purchases are worth.
/// </summary>
public sealed class GammaGammaLimitTests
{
    private static readonly BgNbdParameters Purchasing = new(0.24, 4.41, 0.79, 2.43);

    private static readonly double[] Plans = [9.99, 19.99, 49.99];

    [Fact]
    public void EveryPurchaseAtOnePriceFitsTheLimitWithoutAnySpread()
    {
        var population = Population(5_000, seed: 1, (_, x, _) => 9.99);

        var fit = GammaGammaModel.Fit(population);

        Assert.True(fit.Success, fit.FailureReason);
        var spending = fit.Parameters!;
        Assert.Equal(GammaGammaLimit.NoSpread, spending.Limit);
        Assert.Equal(["mean_spend"], spending.Names);
        Reference.Close(9.99, spending.PopulationMeanSpend!.Value, 1e-14);
        Assert.Contains("no spread at all", fit.LimitReason);
        Assert.Null(fit.LogLikelihood); // a point mass: the likelihood has no maximum to report
        Assert.True(fit.Converged);
        Assert.Equal(population.Count(c => c.X > 0), fit.CustomerCount);

        // Every customer, with repeat purchases or without, is expected to pay the price.
        foreach (var customer in population.Take(500))
        {
            Reference.Close(9.99, GammaGammaModel.ExpectedAverageSpend(spending, customer), 1e-14);
            AssertPositiveClv(spending, customer);
        }
    }

    [Fact]
    public void FixedPlansFitTheLimitWithoutSpreadWithinCustomers()
    {
        // Six customers in ten on the cheapest plan, three on the middle one, one on the dearest.
        var population = Population(20_000, seed: 2, (i, _, _) => Plans[(i * 7919 % 10) switch { < 6 => 0, < 9 => 1, _ => 2 }]);

        var fit = GammaGammaModel.Fit(population);

        Assert.True(fit.Success, fit.FailureReason);
        var spending = fit.Parameters!;
        Assert.Equal(GammaGammaLimit.NoSpreadWithinCustomers, spending.Limit);
        Assert.Equal(["q", "p_gamma"], spending.Names);
        Assert.Equal(double.PositiveInfinity, spending.P);
        Assert.Contains("no spread within customers", fit.LimitReason);
        Assert.True(fit.Converged);
        Assert.NotNull(fit.StandardErrors);
        Assert.True(double.IsFinite(fit.LogLikelihood!.Value));

        // q and β are the inverse-gamma estimates of the customers' mean spends: the score
        // equations ln β − ψ(q) = mean(ln m̄) and q / β = mean(1/m̄) hold.
        var (q, beta) = (spending.Q, spending.PGamma!.Value);
        var repeat = population.Where(c => c.X > 0).ToList();
        Reference.Close(repeat.Average(c => Math.Log(c.MeanRepeatValue)), Math.Log(beta) - SpecialFunctions.DiGamma(q), 1e-12);
        Reference.Close(repeat.Average(c => 1 / c.MeanRepeatValue), q / beta, 1e-12);

        // A repeat customer's expected spend is exactly their plan; a new customer's the
        // population mean β / (q − 1), the limit of p γ / (q − 1).
        var mean = beta / (q - 1);
        Assert.Equal(mean, spending.PopulationMeanSpend);
        Assert.InRange(mean, Plans[0], Plans[2]);
        foreach (var customer in population.Take(2_000))
        {
            Assert.Equal(customer.X > 0 ? customer.MeanRepeatValue : mean, GammaGammaModel.ExpectedAverageSpend(spending, customer));
            AssertPositiveClv(spending, customer);
        }

        // The limit is where the likelihood is highest: the ordinary model at large p (with the
        // limit's q and p·γ) stays below it, and comes closer as p grows.
        var limit = repeat.Sum(c => GammaGammaModel.LogLikelihood(spending, c));
        Reference.Close(limit, fit.LogLikelihood.Value, 1e-12);
        var below = new[] { 10.0, 100, 1_000 }.Select(p => limit - repeat.Sum(c => GammaGammaModel.LogLikelihood(new GammaGammaParameters(p, q, beta / p), c))).ToList();
        Assert.True(below[0] > below[1] && below[1] > below[2] && below[2] > 0, string.Join(", ", below));
    }

    [Fact]
    public void CustomersWithOneMeanFitTheLimitWithoutSpreadBetweenCustomers()
    {
        // Every purchase Gamma(6.25, rate 6.25 / 20): a mean of 20 for every customer. In this
        // sample the customers' means spread no more than their purchases explain.
        var population = OneMean(20_000, seed: 2);

        var fit = GammaGammaModel.Fit(population);

        Assert.True(fit.Success, fit.FailureReason);
        var spending = fit.Parameters!;
        Assert.Equal(GammaGammaLimit.NoSpreadBetweenCustomers, spending.Limit);
        Assert.Equal(["p", "q_over_gamma"], spending.Names);
        Assert.Equal(double.PositiveInfinity, spending.Q);
        Assert.Contains("no spread between customers", fit.LimitReason);
        Assert.NotNull(fit.StandardErrors);

        // p/ν is the mean value of a repeat purchase, Σ x m̄ / Σ x, and p within four standard
        // errors of the truth.
        var repeat = population.Where(c => c.X > 0).ToList();
        var mean = repeat.Sum(c => c.X * c.MeanRepeatValue) / repeat.Sum(c => c.X);
        Reference.Close(mean, spending.PopulationMeanSpend!.Value, 1e-12);
        Assert.True(Math.Abs(spending.P - 6.25) <= 4 * fit.StandardErrors[0], $"p = {spending.P} ± {fit.StandardErrors[0]}");

        // Everyone is expected to spend the population mean, whatever they spent so far.
        foreach (var customer in population.Take(2_000))
        {
            Assert.Equal(spending.PopulationMeanSpend, GammaGammaModel.ExpectedAverageSpend(spending, customer));
            AssertPositiveClv(spending, customer);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void CustomersWithOneMeanAlwaysGetAModelThatExpectsThatMean(int seed)
    {
        // Whether the estimate is the limit or an ordinary one with a large q depends on the
        // sample; either way every customer is expected to spend close to the common mean.
        var population = OneMean(5_000, seed);

        var fit = GammaGammaModel.Fit(population);

        Assert.True(fit.Success, fit.FailureReason);
        Assert.Contains(fit.Parameters!.Limit, new[] { GammaGammaLimit.None, GammaGammaLimit.NoSpreadBetweenCustomers });
        foreach (var customer in population.Take(2_000))
        {
            Assert.InRange(GammaGammaModel.ExpectedAverageSpend(fit.Parameters, customer), 19, 21);
        }
    }

    [Fact]
    public void NearlyFlatSpendIsFlat()
    {
        // One customer in 5,000 paid a cent more: a relative spread of about 10⁻⁵ in m̄, below
        // the e⁻¹⁰ the fit takes for none.
        var population = Population(5_000, seed: 1, (i, _, _) => i == 17 ? 10.00 : 9.99);

        var fit = GammaGammaModel.Fit(population);

        Assert.Equal(GammaGammaLimit.NoSpread, fit.Parameters!.Limit);
        Assert.InRange(fit.Parameters.PopulationMeanSpend!.Value, 9.99, 9.9901);
    }

    [Fact]
    public void AHeterogeneousPopulationKeepsAnOrdinaryFit()
    {
        var truth = new GammaGammaParameters(6.25, 3.74, 15.44);
        var population = SyntheticPopulation.Generate(new SyntheticPopulationOptions { Purchasing = Purchasing, Spending = truth, Seed = 3 }, 10_000)
            .Select(c => c.Inputs).ToList();

        var fit = GammaGammaModel.Fit(population);

        Assert.True(fit.Success, fit.FailureReason);
        Assert.Equal(GammaGammaLimit.None, fit.Parameters!.Limit);
        Assert.Null(fit.LimitReason);
        Assert.Equal(["p", "q", "gamma"], fit.Parameters.Names);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(Math.Abs(fit.Parameters.Values[i] - truth.Values[i]) <= 4 * fit.StandardErrors![i], $"{truth.Names[i]} = {fit.Parameters.Values[i]}");
        }
    }

    [Fact]
    public void FixedPlansWithoutAFiniteMeanStillFail()
    {
        // Plans priced from an inverse-gamma(0.8, 10): the limit without spread within customers
        // fits, but its mean spend is infinite, so it cannot price a customer without repeats;
        // nor is the limit without spread between customers a maximum. The fit fails as before.
        var random = new Xoshiro256StarStar(9, false);
        var prices = Enumerable.Range(0, 20_000).Select(_ => Math.Min(1e6, 10 / Gamma.Sample(random, 0.8, 1))).ToArray();
        var population = Population(20_000, seed: 9, (i, _, _) => prices[i]);

        var fit = GammaGammaModel.Fit(population);

        Assert.False(fit.Success);
        Assert.Null(fit.Parameters);
        Assert.Null(fit.LimitReason);
        Assert.False(string.IsNullOrEmpty(fit.FailureReason));
    }

    [Theory]
    [InlineData(1, 12.0)]
    [InlineData(3, 40.0)]
    [InlineData(20, 25.0)]
    public void TheLimitsAreTheOrdinaryModelsLimits(int x, double meanValue)
    {
        var customer = new CustomerValueInputs(x, 1, 2, meanValue);
        var newcomer = new CustomerValueInputs(0, 0, 2, 0);

        // p → ∞ with p·γ = β: the density tends to the inverse gamma's, with a first-order gap
        // of (1/(2px)) ((β/m̄ − q)² − q), the slope the fit reads; the expected spend to m̄.
        var (q, beta) = (3.5, 60.0);
        var within = GammaGammaParameters.WithoutSpreadWithinCustomers(q, beta);
        foreach (var p in new[] { 1e4, 1e5 })
        {
            var ordinary = new GammaGammaParameters(p, q, beta / p);
            var gap = GammaGammaModel.LogLikelihood(ordinary, customer) - GammaGammaModel.LogLikelihood(within, customer);
            var z = (beta / meanValue) - q;
            AssertFirstOrder(((z * z) - q) / (2 * x), gap, p, x);
            Reference.Close(GammaGammaModel.ExpectedAverageSpend(within, customer), GammaGammaModel.ExpectedAverageSpend(ordinary, customer), q / (p * x));
            Reference.Close(GammaGammaModel.ExpectedAverageSpend(within, newcomer), GammaGammaModel.ExpectedAverageSpend(ordinary, newcomer), 1e-14);
        }

        // q → ∞ with q/γ = ν: the density tends to Gamma(px, xν)'s, with a first-order gap of
        // ½ x (x (p − ν m̄)² − p); the expected spend to p/ν for everyone.
        var (shape, nu) = (4.0, 0.2);
        var between = GammaGammaParameters.WithoutSpreadBetweenCustomers(shape, nu);
        foreach (var qq in new[] { 1e4, 1e5 })
        {
            var ordinary = new GammaGammaParameters(shape, qq, qq / nu);
            var gap = GammaGammaModel.LogLikelihood(ordinary, customer) - GammaGammaModel.LogLikelihood(between, customer);
            var z = shape - (nu * meanValue);
            AssertFirstOrder(x * ((x * z * z) - shape) / 2, gap, qq, x);
            Reference.Close(GammaGammaModel.ExpectedAverageSpend(between, customer), GammaGammaModel.ExpectedAverageSpend(ordinary, customer), 10 * x / qq);
            Reference.Close(GammaGammaModel.ExpectedAverageSpend(between, newcomer), GammaGammaModel.ExpectedAverageSpend(ordinary, newcomer), 10.0 / qq);
        }
    }

    [Fact]
    public void ALimitRoundTripsThroughItsValues()
    {
        GammaGammaParameters[] all =
        [
            new(6.25, 3.74, 15.44),
            GammaGammaParameters.WithoutSpreadWithinCustomers(4.8, 62.5),
            GammaGammaParameters.WithoutSpreadBetweenCustomers(6.3, 0.316),
            GammaGammaParameters.WithoutSpread(9.99),
        ];

        foreach (var parameters in all)
        {
            Assert.Equal(parameters, GammaGammaParameters.FromValues(parameters.Limit, [.. parameters.Values]));
            Assert.Equal(parameters.Names.Count, parameters.Values.Count);
            Assert.All(parameters.Values, v => Assert.True(double.IsFinite(v) && v > 0));
        }

        Assert.NotEqual(all[1], GammaGammaParameters.WithoutSpreadBetweenCustomers(4.8, 62.5));
        Assert.Throws<ArgumentException>(() => GammaGammaParameters.FromValues(GammaGammaLimit.NoSpread, [1.0, 2.0]));
        Assert.Throws<ArgumentException>(() => GammaGammaParameters.FromValues((GammaGammaLimit)7, [1.0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => GammaGammaParameters.WithoutSpread(0));
        Assert.Throws<InvalidOperationException>(() => GammaGammaModel.LogLikelihood(all[3], new CustomerValueInputs(1, 1, 2, 9.99)));
    }

    /// <summary>
    /// gap = slope/shape + O(x/shape²): gap · shape is within 20 x/shape of the slope, relative
    /// to 1 + |slope| (0.2% x at a shape of 10⁴).
    /// </summary>
    private static void AssertFirstOrder(double slope, double gap, double shape, int x)
    {
        var error = Math.Abs((gap * shape) - slope);
        Assert.True(error <= 20.0 * x / shape * (1 + Math.Abs(slope)), $"slope {slope}, gap × shape {gap * shape} at shape {shape}");
    }

    private static void AssertPositiveClv(GammaGammaParameters spending, CustomerValueInputs customer)
    {
        var estimate = CustomerLifetimeValue.Estimate(Purchasing, spending, customer);
        Assert.True(double.IsFinite(estimate.LifetimeValue) && estimate.LifetimeValue > 0, $"CLV {estimate.LifetimeValue} for {customer}");
    }

    /// <summary>Customers drawn from BG/NBD whose every repeat purchase is worth <paramref name="price"/>(index, x, random).</summary>
    private static List<CustomerValueInputs> Population(int count, int seed, Func<int, int, Random, double> price)
    {
        var random = new Xoshiro256StarStar(seed + 1000, false);
        var spending = new GammaGammaParameters(6.25, 3.74, 15.44); // the draws' values are replaced
        return SyntheticPopulation.Generate(new SyntheticPopulationOptions { Purchasing = Purchasing, Spending = spending, Seed = seed }, count)
            .Select((c, i) => c.Inputs is var inputs && inputs.X > 0
                ? new CustomerValueInputs(inputs.X, inputs.Tx, inputs.T, price(i, inputs.X, random))
                : c.Inputs)
            .ToList();
    }

    /// <summary>Customers whose repeat purchases are each worth Gamma(6.25, rate 6.25 / 20), a mean of 20 for all.</summary>
    private static List<CustomerValueInputs> OneMean(int count, int seed) =>
        Population(count, seed, (_, x, random) => Enumerable.Range(0, x).Sum(_ => Gamma.Sample(random, 6.25, 6.25 / 20)) / x);
}

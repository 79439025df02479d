using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;

namespace Customer360.Domain.Values.Models.Synthetic;

/// <summary>How to draw a synthetic customer base: the true model parameters and the calendar.</summary>
public sealed record SyntheticPopulationOptions
{
    public required BgNbdParameters Purchasing { get; init; }

    /// <summary>The spend model: an ordinary one (<see cref="GammaGammaLimit.None"/>).</summary>
    public required GammaGammaParameters Spending { get; init; }

    /// <summary>First purchases are spread uniformly over [0, AcquisitionWeeks); 0 puts them all at week 0.</summary>
    public double AcquisitionWeeks { get; init; } = 12;

    /// <summary>End of the observation period, in weeks from the start of acquisition.</summary>
    public double ObservationWeeks { get; init; } = 78;

    public int Seed { get; init; } = 1;

    /// <summary>Null when the options are usable, otherwise what is wrong.</summary>
    public string? Problem() =>
        Spending.Limit != GammaGammaLimit.None ? "Spending must be an ordinary Gamma-Gamma model, not a limit of it"
        : !double.IsFinite(AcquisitionWeeks) || AcquisitionWeeks < 0 ? "AcquisitionWeeks must be finite and not negative"
        : !double.IsFinite(ObservationWeeks) || ObservationWeeks < AcquisitionWeeks ? "ObservationWeeks must be finite and at least AcquisitionWeeks"
        : null;
}

/// <summary>One purchase: when (weeks from the start of acquisition) and its value.</summary>
public readonly record struct SyntheticPurchase(double Week, double Amount);

/// <summary>
/// A drawn customer: the hidden traits and the purchases seen up to the end of observation, the
/// first purchase first.
/// </summary>
/// <param name="PurchaseRate">λ, purchases per week while active.</param>
/// <param name="DropoutProbability">p, the chance of dropping out after each repeat purchase.</param>
/// <param name="SpendRate">ν; a purchase's value is Gamma(p, ν), with mean p/ν.</param>
/// <param name="ActiveAtEnd">Whether the customer had not dropped out by the end of observation.</param>
public sealed record SyntheticCustomer(
    double PurchaseRate,
    double DropoutProbability,
    double SpendRate,
    bool ActiveAtEnd,
    IReadOnlyList<SyntheticPurchase> Purchases,
    double ObservationWeeks)
{
    /// <summary>The customer's statistics in continuous time: x, t_x and T in weeks, m̄ over repeat purchases.</summary>
    public CustomerValueInputs Inputs
    {
        get
        {
            var first = Purchases[0].Week;
            var x = Purchases.Count - 1;
            if (x == 0)
            {
                return new CustomerValueInputs(0, 0, ObservationWeeks - first, 0);
            }

            var repeatSpend = 0.0;
            for (var i = 1; i < Purchases.Count; i++)
            {
                repeatSpend += Purchases[i].Amount;
            }

            return new CustomerValueInputs(x, Purchases[^1].Week - first, ObservationWeeks - first, repeatSpend / x);
        }
    }
}

/// <summary>
/// Draws customers from the BG/NBD and Gamma-Gamma generative processes (Fader, Hardie &amp; Lee
/// 2005), deterministically from a seed:
/// <list type="number">
/// <item>λ ~ Gamma(shape r, rate α), p ~ Beta(a, b), ν ~ Gamma(shape q, rate γ);</item>
/// <item>the first purchase falls uniformly in the acquisition period;</item>
/// <item>while active, purchases follow a Poisson process of rate λ (exponential gaps);</item>
/// <item>after each repeat purchase the customer drops out with probability p (the first purchase
/// opens the relationship and is never followed by a dropout, as in the BG/NBD likelihood);</item>
/// <item>each purchase, the first included, is worth Gamma(shape p, rate ν).</item>
/// </list>
/// The same options give the same customers in the same order, on every machine.
/// </summary>
public static class SyntheticPopulation
{
    public static IEnumerable<SyntheticCustomer> Generate(SyntheticPopulationOptions options, int count)
    {
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Draw(options, count);
    }

    private static IEnumerable<SyntheticCustomer> Draw(SyntheticPopulationOptions options, int count)
    {
        var random = new Xoshiro256StarStar(options.Seed, false);
        var (purchasing, spending) = (options.Purchasing, options.Spending);
        for (var i = 0; i < count; i++)
        {
            var lambda = Gamma.Sample(random, purchasing.R, purchasing.Alpha);
            var dropout = Beta.Sample(random, purchasing.A, purchasing.B);
            var spendRate = Gamma.Sample(random, spending.Q, spending.Gamma);
            var week = options.AcquisitionWeeks * random.NextDouble();
            var purchases = new List<SyntheticPurchase> { new(week, Gamma.Sample(random, spending.P, spendRate)) };
            var active = true;
            while (active && lambda > 0)
            {
                week += Exponential.Sample(random, lambda);
                if (week > options.ObservationWeeks)
                {
                    break;
                }

                purchases.Add(new SyntheticPurchase(week, Gamma.Sample(random, spending.P, spendRate)));
                active = random.NextDouble() >= dropout;
            }

            yield return new SyntheticCustomer(lambda, dropout, spendRate, active, purchases, options.ObservationWeeks);
        }
    }
}

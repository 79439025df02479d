namespace Customer360.Domain.Values.Models;

/// <summary>
/// Gamma-Gamma spend parameters (Fader, Hardie &amp; Lee 2005; Fader &amp; Hardie 2013): a
/// transaction's value is Gamma(shape p, rate ν) and ν ~ Gamma(shape q, rate γ) across customers.
/// All three must be finite and positive; the expected spend needs q &gt; 1 as well.
/// </summary>
/// <param name="P">Shape of a transaction's value given the customer.</param>
/// <param name="Q">Shape of the customers' spend-rate distribution.</param>
/// <param name="Gamma">Rate of the customers' spend-rate distribution (γ), in the reporting currency.</param>
public sealed record GammaGammaParameters(double P, double Q, double Gamma) : IValueModelParameters
{
    private static readonly string[] ParameterNames = ["p", "q", "gamma"];

    public double P { get; } = BgNbdParameters.Positive(P, nameof(P));

    public double Q { get; } = BgNbdParameters.Positive(Q, nameof(Q));

    public double Gamma { get; } = BgNbdParameters.Positive(Gamma, nameof(Gamma));

    /// <summary>The population's mean transaction value p γ / (q − 1); null when q ≤ 1 (no finite mean).</summary>
    public double? PopulationMeanSpend => Q > 1 ? P * Gamma / (Q - 1) : null;

    public IReadOnlyList<string> Names => ParameterNames;

    public IReadOnlyList<double> Values => [P, Q, Gamma];
}

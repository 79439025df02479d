namespace Customer360.Domain.Values.Models;

/// <summary>
/// BG/NBD parameters (Fader, Hardie &amp; Lee 2005): purchase rates λ ~ Gamma(shape r, rate α)
/// with α in weeks, and dropout probabilities p ~ Beta(a, b). All four must be finite and positive.
/// </summary>
/// <param name="R">Shape of the purchase-rate distribution.</param>
/// <param name="Alpha">Rate (inverse scale) of the purchase-rate distribution, in weeks.</param>
/// <param name="A">First shape of the dropout-probability distribution.</param>
/// <param name="B">Second shape of the dropout-probability distribution.</param>
public sealed record BgNbdParameters(double R, double Alpha, double A, double B) : IValueModelParameters
{
    private static readonly string[] ParameterNames = ["r", "alpha", "a", "b"];

    public double R { get; } = Positive(R, nameof(R));

    public double Alpha { get; } = Positive(Alpha, nameof(Alpha));

    public double A { get; } = Positive(A, nameof(A));

    public double B { get; } = Positive(B, nameof(B));

    public IReadOnlyList<string> Names => ParameterNames;

    public IReadOnlyList<double> Values => [R, Alpha, A, B];

    /// <summary>The value itself when finite and positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is not.</exception>
    internal static double Positive(double value, string name) =>
        double.IsFinite(value) && value > 0
            ? value
            : throw new ArgumentOutOfRangeException(name, value, "Model parameters must be finite and positive.");
}

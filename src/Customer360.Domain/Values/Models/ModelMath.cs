namespace Customer360.Domain.Values.Models;

/// <summary>
/// Small, accurate helpers for the models' log-space arithmetic. log(1 + x) and eˣ − 1 use
/// Kahan's correction, accurate to a few ulps for every x, where the naive forms lose up to all
/// digits for small x.
/// </summary>
internal static class ModelMath
{
    /// <summary>ln(1 + x) for x &gt; −1.</summary>
    public static double Log1p(double x)
    {
        var u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>eˣ − 1.</summary>
    public static double ExpM1(double x)
    {
        if (Math.Abs(x) > 0.5)
        {
            return Math.Exp(x) - 1;
        }

        var u = Math.Exp(x);
        return u == 1 ? x : (u - 1) * x / Math.Log(u);
    }

    /// <summary>ln(1 + eᵘ), without overflow.</summary>
    public static double Softplus(double u) => u > 0 ? u + Log1p(Math.Exp(-u)) : Log1p(Math.Exp(u));

    /// <summary>1 / (1 + e⁻ᵘ), without overflow.</summary>
    public static double Logistic(double u) => u >= 0 ? 1 / (1 + Math.Exp(-u)) : Math.Exp(u) / (1 + Math.Exp(u));
}

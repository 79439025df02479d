using MathNet.Numerics;

namespace Customer360.Domain.Values.Models;

/// <summary>
/// The Gauss hypergeometric function 2F1(a, b; c; z) for real arguments with z &lt; 1, as the
/// BG/NBD conditional expectation needs it (there z = t / (α + T + t) lies in [0, 1)).
/// <para>
/// Written here because MathNet.Numerics 5 has no 2F1 for a real argument: its
/// <c>SpecialFunctions.GeneralizedHypergeometric</c> takes an integer z, which is of no use for
/// z in (0, 1).
/// </para>
/// <para>
/// Method. 2F1(a, b; c; z) = Σₙ (a)ₙ (b)ₙ / ((c)ₙ n!) zⁿ (Abramowitz &amp; Stegun 15.1.1), summed
/// term by term until the remaining tail is bounded below 10⁻¹⁷ of the sum. When c − a − b &lt; 0
/// the series is taken after Euler's transformation 2F1(a, b; c; z) = (1 − z)^(c−a−b)
/// 2F1(c − a, c − b; c; z) (A&amp;S 15.3.3), whose terms decay instead of growing. When the series
/// needs more than a few thousand terms (z close to 1) and c − a − b is at least 0.02 from an
/// integer, the linear transformation to 1 − z (A&amp;S 15.3.6) is used instead: two series in
/// 1 − z ≤ 0.25 that converge in a few dozen terms. Close to an integer c − a − b, that formula
/// loses its digits to cancellation, and so it does when a parameter times 1 − z is large (a
/// large b with z near 1: the series in 1 − z then climb to terms near e^(b(1−z)) before they
/// fall, and the result is a small difference of them). So the transformation is taken only
/// when the sum of the magnitudes of its terms is within 10⁴ of its result (of its result less
/// 1, for <see cref="Tail"/>); otherwise the plain series is summed for up to ten million terms,
/// which covers 1 − z down to about 4·10⁻⁶. Negative z is mapped into [0, 1) by Pfaff's
/// transformation 2F1(a, b; c; z) = (1 − z)^(−a) 2F1(a, c − b; c; z / (z − 1)) (A&amp;S 15.3.4).
/// </para>
/// </summary>
public static class Hypergeometric
{
    /// <summary>Terms of the plain series tried before the transformation to 1 − z.</summary>
    private const int QuickTerms = 4_000;

    /// <summary>Terms of the plain series allowed when no transformation applies.</summary>
    private const int MaximumTerms = 10_000_000;

    /// <summary>Closest that c − a − b may be to an integer for the transformation to 1 − z.</summary>
    private const double IntegerClearance = 0.02;

    private const double SeriesTolerance = 1e-17;

    /// <summary>Most that the terms of the transformation to 1 − z may exceed its result by (digits lost to cancellation).</summary>
    private const double MaximumCancellation = 1e4;

    /// <summary>
    /// 2F1(a, b; c; z) for finite real a, b, c and z &lt; 1; c must not be 0 or a negative integer.
    /// The result can overflow to infinity only where the function itself exceeds the range of a
    /// double (near z = 1 with c − a − b very negative).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">z ≥ 1, a non-finite argument, or c a non-positive integer.</exception>
    /// <exception cref="ArithmeticException">The series did not converge: z within about 4·10⁻⁶ of 1 and c − a − b within 0.02 of an integer.</exception>
    public static double Gauss2F1(double a, double b, double c, double z)
    {
        if (!double.IsFinite(a) || !double.IsFinite(b) || !double.IsFinite(c) || !double.IsFinite(z))
        {
            throw new ArgumentOutOfRangeException(nameof(z), "2F1 needs finite arguments.");
        }

        if (z >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(z), z, "2F1 is evaluated here for z < 1 only.");
        }

        if (IsNonPositiveInteger(c))
        {
            throw new ArgumentOutOfRangeException(nameof(c), c, "2F1 is undefined when c is 0 or a negative integer.");
        }

        if (z == 0 || a == 0 || b == 0)
        {
            return 1;
        }

        if (z < 0)
        {
            return Math.Exp(-a * ModelMath.Log1p(-z)) * Gauss2F1(a, c - b, c, z / (z - 1));
        }

        var m = c - a - b;
        if (TryPlainSeries(a, b, c, z, QuickTerms, out var quick))
        {
            return quick;
        }

        if (CanTransformToOneMinusZ(m))
        {
            var (transformed, magnitude) = AroundOne(a, b, c, z);
            if (double.IsFinite(transformed) && magnitude <= MaximumCancellation * Math.Abs(transformed))
            {
                return transformed;
            }
        }

        if (TryPlainSeries(a, b, c, z, MaximumTerms, out var slow))
        {
            return slow;
        }

        throw new ArithmeticException(FormattableString.Invariant(
            $"2F1({a}, {b}; {c}; {z}) did not converge in {MaximumTerms} terms."));
    }

    /// <summary>
    /// Σ_{n≥1} (a+1)_{n−1} (b+1)_{n−1} / ((c+1)_{n−1} n!) zⁿ for 0 ≤ z &lt; 1 and c &gt; −1, so that
    /// 2F1(a, b; c; z) = 1 + (a b / c) · tail. Unlike 2F1 itself the tail stays finite as a, b or c
    /// go to 0, which the BG/NBD expectation relies on near a = 1 and a + b + x = 1. Never throws:
    /// in the one case the series cannot be brought to convergence (see <see cref="Gauss2F1"/>) it
    /// returns the partial sum of ten million terms.
    /// </summary>
    internal static double Tail(double a, double b, double c, double z) => Tail(a, b, c, z, out _);

    /// <summary>
    /// As above, with the sum of the magnitudes of the terms the tail was summed from, in units of
    /// the tail: far above |tail| when the terms cancel (a far below 0, say), which bounds the
    /// digits lost.
    /// </summary>
    internal static double Tail(double a, double b, double c, double z, out double magnitude)
    {
        magnitude = 0;
        if (z <= 0)
        {
            return 0;
        }

        if (TryTailSeries(a, b, c, z, QuickTerms, out var quick, out magnitude))
        {
            return quick;
        }

        // tail = (2F1 − 1) c / (a b): only worth it while a b / c is not so small that 2F1 − 1
        // cancels to noise.
        var scale = a * b / c;
        if (Math.Abs(scale) >= 1e-4 && CanTransformToOneMinusZ(c - a - b))
        {
            var (value, transformedMagnitude) = AroundOne(a, b, c, z);
            var transformed = (value - 1) / scale;
            if (double.IsFinite(transformed) && transformedMagnitude <= MaximumCancellation * Math.Abs(value - 1))
            {
                magnitude = transformedMagnitude / Math.Abs(scale);
                return transformed;
            }
        }

        TryTailSeries(a, b, c, z, MaximumTerms, out var slow, out magnitude);
        return slow;
    }

    /// <summary>
    /// 2F1(a, b; c; z) by its plain series, untransformed, for a, b, c &gt; 0 and 0 ≤ z &lt; 1:
    /// every term is positive, so no digit is lost to cancellation, however far the terms climb
    /// before they fall. NaN when the sum exceeds the range of a double or has not converged in
    /// ten million terms.
    /// </summary>
    internal static double PositiveSeries(double a, double b, double c, double z)
    {
        if (z <= 0)
        {
            return 1;
        }

        var value = TryTailSeries(a, b, c, z, MaximumTerms, out var tail) ? 1 + (a * b / c * tail) : double.NaN;
        return double.IsFinite(value) ? value : double.NaN;
    }

    /// <summary>The plain series, after Euler's transformation when c − a − b &lt; 0.</summary>
    private static bool TryPlainSeries(double a, double b, double c, double z, int maxTerms, out double value) =>
        TryPlainSeries(a, b, c, z, maxTerms, out value, out _);

    /// <summary>The plain series, and the sum of the magnitudes of its terms.</summary>
    private static bool TryPlainSeries(double a, double b, double c, double z, int maxTerms, out double value, out double magnitude)
    {
        var m = c - a - b;
        if (m < 0)
        {
            var ok = TryTailSeries(c - a, c - b, c, z, maxTerms, out var tail, out var tailMagnitude);
            var factor = (c - a) * (c - b) / c;
            var prefactor = Math.Exp(m * ModelMath.Log1p(-z));
            value = prefactor * (1 + factor * tail);
            magnitude = prefactor * (1 + Math.Abs(factor) * tailMagnitude);
            return ok;
        }

        var converged = TryTailSeries(a, b, c, z, maxTerms, out var t, out var tMagnitude);
        value = 1 + a * b / c * t;
        magnitude = 1 + Math.Abs(a * b / c) * tMagnitude;
        return converged;
    }

    /// <summary>
    /// Sums the tail series term by term: term₁ = z, termₙ₊₁ = termₙ (a+n)(b+n) z / ((c+n)(n+1)).
    /// Stops once every factor has its final sign and the geometric bound on the remainder,
    /// |term| ρ / (1 − ρ) with ρ = max(|ratio|, z), is below 10⁻¹⁷ of the sum.
    /// </summary>
    private static bool TryTailSeries(double a, double b, double c, double z, int maxTerms, out double sum) =>
        TryTailSeries(a, b, c, z, maxTerms, out sum, out _);

    /// <summary>As above, with the sum of the magnitudes of the terms.</summary>
    private static bool TryTailSeries(double a, double b, double c, double z, int maxTerms, out double sum, out double magnitude)
    {
        var term = z;
        sum = z;
        magnitude = Math.Abs(z);
        var settled = 2 + Math.Max(0, -Math.Min(a, Math.Min(b, c)));
        for (var n = 1; n < maxTerms; n++)
        {
            var ratio = (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            term *= ratio;
            sum += term;
            magnitude += Math.Abs(term);
            if (term == 0)
            {
                return true;
            }

            if (!double.IsFinite(sum))
            {
                // Beyond the range of a double: no further term brings it back.
                return false;
            }

            if (n > settled)
            {
                var rho = Math.Max(Math.Abs(ratio), z);
                if (rho < 1 && Math.Abs(term) * rho <= SeriesTolerance * (1 - rho) * Math.Abs(sum))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool CanTransformToOneMinusZ(double m) => Math.Abs(m - Math.Round(m)) >= IntegerClearance;

    /// <summary>
    /// A&amp;S 15.3.6, for c − a − b = m not an integer:
    /// 2F1(a, b; c; z) = Γ(c)Γ(m) / (Γ(c−a)Γ(c−b)) · 2F1(a, b; 1−m; 1−z)
    ///                 + (1−z)^m Γ(c)Γ(−m) / (Γ(a)Γ(b)) · 2F1(c−a, c−b; 1+m; 1−z).
    /// The gamma ratios are taken in log space with their signs; 1/Γ at a pole is 0. Also returns
    /// the sum of the magnitudes of every term, which bounds the rounding error of the result.
    /// </summary>
    private static (double Value, double Magnitude) AroundOne(double a, double b, double c, double z)
    {
        var m = c - a - b;
        var y = 1 - z;
        double result = 0, magnitude = 0;

        var (lnFirst, signFirst) = LogGammaRatio(c, m, c - a, c - b);
        if (signFirst != 0)
        {
            var (series, seriesMagnitude) = PlainSeriesOrNaN(a, b, 1 - m, y);
            var coefficient = Math.Exp(lnFirst);
            result += signFirst * coefficient * series;
            magnitude += coefficient * seriesMagnitude;
        }

        var (lnSecond, signSecond) = LogGammaRatio(c, -m, a, b);
        if (signSecond != 0)
        {
            var lnPrefactor = lnSecond + m * Math.Log(y);
            if (lnPrefactor > -745)
            {
                var (series, seriesMagnitude) = PlainSeriesOrNaN(c - a, c - b, 1 + m, y);
                var coefficient = Math.Exp(lnPrefactor);
                result += signSecond * coefficient * series;
                magnitude += coefficient * seriesMagnitude;
            }
        }

        return (result, magnitude);
    }

    private static (double Value, double Magnitude) PlainSeriesOrNaN(double a, double b, double c, double z) =>
        a == 0 || b == 0 ? (1, 1)
        : TryPlainSeries(a, b, c, z, MaximumTerms, out var value, out var magnitude) ? (value, magnitude)
        : (double.NaN, double.NaN);

    /// <summary>ln |Γ(p)Γ(q) / (Γ(r)Γ(s))| and its sign; sign 0 when 1/Γ(r) or 1/Γ(s) is 0.</summary>
    private static (double Log, int Sign) LogGammaRatio(double p, double q, double r, double s)
    {
        var lp = LogAbsGamma(p, out var sp);
        var lq = LogAbsGamma(q, out var sq);
        var lr = LogAbsGamma(r, out var sr);
        var ls = LogAbsGamma(s, out var ss);
        if (sr == 0 || ss == 0)
        {
            return (double.NegativeInfinity, 0);
        }

        return (lp + lq - lr - ls, sp * sq * sr * ss);
    }

    /// <summary>
    /// ln |Γ(x)| with the sign of Γ(x), by reflection Γ(x) = π / (sin(πx) Γ(1 − x)) for x &lt; 0.5.
    /// At the poles (x = 0, −1, −2, …) the sign is 0 and the log +∞.
    /// </summary>
    internal static double LogAbsGamma(double x, out int sign)
    {
        if (x > 0.5)
        {
            sign = 1;
            return SpecialFunctions.GammaLn(x);
        }

        if (IsNonPositiveInteger(x))
        {
            sign = 0;
            return double.PositiveInfinity;
        }

        var sine = double.SinPi(x);
        sign = sine > 0 ? 1 : -1;
        return Math.Log(Math.PI) - Math.Log(Math.Abs(sine)) - SpecialFunctions.GammaLn(1 - x);
    }

    private static bool IsNonPositiveInteger(double x) => x <= 0 && x == Math.Floor(x);
}

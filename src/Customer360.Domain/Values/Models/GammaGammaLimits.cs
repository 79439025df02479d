using static MathNet.Numerics.SpecialFunctions;

namespace Customer360.Domain.Values.Models;

/// <summary>
/// Maximum-likelihood estimates of the Gamma-Gamma model at the edges of its parameter space
/// (<see cref="GammaGammaLimit"/>), where the ordinary fit cannot settle: a population whose
/// customers each always pay the same sends p to infinity, one whose customers all have the same
/// mean spend sends q there. Each limit is the pointwise limit of the Gamma-Gamma density of m̄
/// given x, so its log-likelihood is comparable with the ordinary model's; both have closed-form
/// estimates up to one monotone equation in one shape.
/// <para>
/// No spread within customers, p → ∞ with p·γ → β: m̄ is the customer's mean μ = p/ν exactly,
/// and μ ~ inverse-gamma(q, β), whatever x:
/// ℓ = q ln β − ln Γ(q) − (q + 1) ln m̄ − β/m̄. The estimate solves ln q − ψ(q) = s with s the
/// log of the mean of 1/m̄ less the mean of its log, and β = q / mean(1/m̄).
/// </para>
/// <para>
/// No spread between customers, q → ∞ with q/γ → ν: m̄ ~ Gamma(px, xν):
/// ℓ = px ln(xν) − ln Γ(px) + (px − 1) ln m̄ − xν m̄. The estimate has p/ν = Σ x m̄ / Σ x, the
/// mean value of a repeat purchase, and p solving Σ x (ln(px) − ψ(px)) = Σ x ln(p/(ν m̄)).
/// </para>
/// <para>
/// Whether a limit is where the likelihood is highest, rather than an edge the likelihood falls
/// towards, is read from its slope: the derivative of the log-likelihood in 1/p (resp. 1/q) at
/// the limit, with the other parameters at the limit's estimate. Expanding the Gamma-Gamma
/// density for large p (resp. q):
/// ∂ℓ/∂(1/p) = Σ (1/(2x)) ((β/m̄ − q)² − q) and ∂ℓ/∂(1/q) = ½ Σ x (x (p − ν m̄)² − p).
/// Each compares the spread the population shows with the spread the limit expects (both terms
/// have mean 0 under the limit): at or below 0, bringing back spread within (resp. between)
/// customers lowers the likelihood, and the limit is a maximum.
/// </para>
/// </summary>
internal static class GammaGammaLimits
{
    /// <summary>
    /// Spread below which the customers' mean spends count as all the same: a relative standard
    /// deviation of e⁻¹⁰ ≈ 4.5·10⁻⁵ in m̄ (weighted by customer), about half a cent on 100.
    /// It matches the point where <see cref="MaximumLikelihood"/> takes a shape to have run off
    /// to infinity (ln shape &gt; 20, and a gamma's shape is the inverse of its squared
    /// coefficient of variation).
    /// </summary>
    public static readonly double NegligibleSpread = Math.Exp(-10);

    /// <summary>A limit's estimate: its parameters, the log-likelihood (a sum over customers), its slope, and its objective for standard errors.</summary>
    public sealed record Estimate(GammaGammaParameters Parameters, double LogLikelihood, double Slope, MaximumLikelihood.Objective Objective, double[] Theta, int Iterations);

    /// <summary>Weighted standard deviation of ln m̄ over the table: the relative spread of the customers' mean spends.</summary>
    public static double SpreadOfMeans(PopulationTable table)
    {
        var centre = WeightedMean(table, i => table.V[i]);
        var squares = 0.0;
        for (var i = 0; i < table.Rows; i++)
        {
            var d = table.V[i] - centre;
            squares += table.Weight[i] * d * d;
        }

        return Math.Sqrt(squares / table.Customers);
    }

    /// <summary>The mean repeat purchase value Σ x m̄ / Σ x: the population mean of every limit without spread between customers.</summary>
    public static double MeanPurchaseValue(PopulationTable table)
    {
        double purchases = 0, value = 0;
        for (var i = 0; i < table.Rows; i++)
        {
            var x = table.DistinctX[table.RowX[i]];
            purchases += table.Weight[i] * x;
            value += table.Weight[i] * x * table.U[i];
        }

        return value / purchases;
    }

    /// <summary>The limit p → ∞. Needs some spread in m̄ (<see cref="SpreadOfMeans"/> above 0).</summary>
    public static Estimate WithinCustomers(PopulationTable table, int? maxDegreeOfParallelism)
    {
        // With w = 1/m̄ and d = ln w − mean(ln w): s = ln mean(w) − mean(ln w) = ln mean(e^d),
        // taken as log1p(mean(e^d − 1 − d)) so that a small spread keeps its digits.
        var centre = WeightedMean(table, i => -table.V[i]);
        var excess = WeightedMean(table, i => ExpExcess(-table.V[i] - centre));
        var s = ModelMath.Log1p(excess);
        var (q, iterations) = SolveDecreasing(t => t - DiGamma(Math.Exp(t)) - s);
        var meanInverse = Math.Exp(centre) * (1 + excess);
        var beta = q / meanInverse;

        var objective = WithinObjective(table, maxDegreeOfParallelism);
        var theta = new[] { Math.Log(q), Math.Log(beta) };
        var logLikelihood = -objective(theta, new double[2]) * table.Customers;
        var slope = 0.0;
        for (var i = 0; i < table.Rows; i++)
        {
            var x = table.DistinctX[table.RowX[i]];
            var z = (beta / table.U[i]) - q;
            slope += table.Weight[i] * ((z * z) - q) / (2.0 * x);
        }

        return new Estimate(GammaGammaParameters.WithoutSpreadWithinCustomers(q, beta), logLikelihood, slope, objective, theta, iterations);
    }

    /// <summary>The limit q → ∞. Needs some spread in m̄ (<see cref="SpreadOfMeans"/> above 0).</summary>
    public static Estimate BetweenCustomers(PopulationTable table, int? maxDegreeOfParallelism)
    {
        var mean = MeanPurchaseValue(table);

        // D = Σ x ln(mean / m̄) = Σ x (e^d − 1 − d) with d = ln(m̄ / mean), as Σ x (e^d − 1) = 0.
        var perX = new double[table.DistinctX.Length];
        var gap = 0.0;
        var lnMean = Math.Log(mean);
        for (var i = 0; i < table.Rows; i++)
        {
            var k = table.RowX[i];
            var x = table.DistinctX[k];
            perX[k] += table.Weight[i] * x;
            gap += table.Weight[i] * x * ExpExcess(table.V[i] - lnMean);
        }

        var (p, iterations) = SolveDecreasing(t =>
        {
            var p = Math.Exp(t);
            var sum = 0.0;
            for (var k = 0; k < perX.Length; k++)
            {
                var px = p * table.DistinctX[k];
                sum += perX[k] * (Math.Log(px) - DiGamma(px));
            }

            return sum - gap;
        });
        var nu = p / mean;

        var objective = BetweenObjective(table, maxDegreeOfParallelism);
        var theta = new[] { Math.Log(p), Math.Log(nu) };
        var logLikelihood = -objective(theta, new double[2]) * table.Customers;
        var slope = 0.0;
        for (var i = 0; i < table.Rows; i++)
        {
            var x = (double)table.DistinctX[table.RowX[i]];
            var z = p - (nu * table.U[i]);
            slope += table.Weight[i] * x * ((x * z * z) - p) / 2;
        }

        return new Estimate(GammaGammaParameters.WithoutSpreadBetweenCustomers(p, nu), logLikelihood, slope, objective, theta, iterations);
    }

    /// <summary>e^d − 1 − d without losing the digits of a small d.</summary>
    private static double ExpExcess(double d)
    {
        if (Math.Abs(d) > 1e-2)
        {
            return Math.Exp(d) - 1 - d;
        }

        // Taylor series: d²/2 + d³/6 + …, to well below the last digit.
        double term = d * d / 2, sum = 0;
        for (var n = 3; term != 0 && Math.Abs(term) > 1e-18 * Math.Abs(sum); n++)
        {
            sum += term;
            term *= d / n;
        }

        return sum;
    }

    private static double WeightedMean(PopulationTable table, Func<int, double> value)
    {
        var sum = 0.0;
        for (var i = 0; i < table.Rows; i++)
        {
            sum += table.Weight[i] * value(i);
        }

        return sum / table.Customers;
    }

    /// <summary>
    /// The root in φ = e^t of a function of t decreasing from positive to negative, by bisection
    /// over t in [−40, 40] to the last digit; the ends when it has no sign change there.
    /// </summary>
    private static (double Root, int Iterations) SolveDecreasing(Func<double, double> function)
    {
        double low = -40, high = 40;
        if (function(high) >= 0)
        {
            return (Math.Exp(high), 0);
        }

        if (function(low) <= 0)
        {
            return (Math.Exp(low), 0);
        }

        var iterations = 0;
        while (iterations < 200)
        {
            var middle = (low + high) / 2;
            if (middle <= low || middle >= high)
            {
                break;
            }

            iterations++;
            if (function(middle) > 0)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }

        return (Math.Exp((low + high) / 2), iterations);
    }

    /// <summary>Mean negative log-likelihood of the limit p → ∞ over θ = ln(q, β): ∂/∂q = ln β − ψ(q) − ln m̄, ∂/∂β = q/β − 1/m̄.</summary>
    private static MaximumLikelihood.Objective WithinObjective(PopulationTable table, int? maxDegreeOfParallelism) => (theta, gradient) =>
    {
        var (q, beta) = (Math.Exp(theta[0]), Math.Exp(theta[1]));
        var (lnBeta, lnGammaQ, psiQ) = (theta[1], GammaLn(q), DiGamma(q));
        return table.MeanNegativeLogLikelihood([q, beta], maxDegreeOfParallelism, (start, end, sums, offset) =>
        {
            double ll = 0, gq = 0, gBeta = 0;
            for (var i = start; i < end; i++)
            {
                var w = table.Weight[i];
                ll += w * ((q * lnBeta) - lnGammaQ - ((q + 1) * table.V[i]) - (beta / table.U[i]));
                gq += w * (lnBeta - psiQ - table.V[i]);
                gBeta += w * ((q / beta) - (1 / table.U[i]));
            }

            sums[offset] = ll;
            sums[offset + 1] = gq;
            sums[offset + 2] = gBeta;
        }, gradient);
    };

    /// <summary>
    /// Mean negative log-likelihood of the limit q → ∞ over θ = ln(p, ν):
    /// ∂/∂p = x (ln(xν) − ψ(px) + ln m̄), ∂/∂ν = px/ν − x m̄.
    /// </summary>
    private static MaximumLikelihood.Objective BetweenObjective(PopulationTable table, int? maxDegreeOfParallelism) => (theta, gradient) =>
    {
        var (p, nu) = (Math.Exp(theta[0]), Math.Exp(theta[1]));
        var lnGammaPx = new double[table.DistinctX.Length];
        var psiPx = new double[table.DistinctX.Length];
        for (var k = 0; k < lnGammaPx.Length; k++)
        {
            lnGammaPx[k] = GammaLn(p * table.DistinctX[k]);
            psiPx[k] = DiGamma(p * table.DistinctX[k]);
        }

        return table.MeanNegativeLogLikelihood([p, nu], maxDegreeOfParallelism, (start, end, sums, offset) =>
        {
            double ll = 0, gp = 0, gNu = 0;
            for (var i = start; i < end; i++)
            {
                var k = table.RowX[i];
                var x = (double)table.DistinctX[k];
                var w = table.Weight[i];
                var px = p * x;
                var lnXNu = Math.Log(x * nu);
                ll += w * ((px * lnXNu) - lnGammaPx[k] + ((px - 1) * table.V[i]) - (x * nu * table.U[i]));
                gp += w * x * (lnXNu - psiPx[k] + table.V[i]);
                gNu += w * ((px / nu) - (x * table.U[i]));
            }

            sums[offset] = ll;
            sums[offset + 1] = gp;
            sums[offset + 2] = gNu;
        }, gradient);
    };
}

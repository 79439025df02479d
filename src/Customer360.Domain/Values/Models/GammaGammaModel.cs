using static MathNet.Numerics.SpecialFunctions;

namespace Customer360.Domain.Values.Models;

/// <summary>
/// The Gamma-Gamma model of spend per transaction: Fader, Hardie &amp; Lee (2005), "RFM and CLV:
/// Using Iso-Value Curves for Customer Base Analysis", Journal of Marketing Research 42(4), and
/// Fader &amp; Hardie (2013), "The Gamma-Gamma Model of Monetary Value". A customer's transaction
/// values are Gamma(p, ν), independent of the purchase process, and ν ~ Gamma(q, γ) across
/// customers. The model sees a customer through x &gt; 0 repeat occasions and their mean value m̄.
/// </summary>
public static class GammaGammaModel
{
    /// <summary>
    /// One customer's log-likelihood of m̄ given x &gt; 0 (Fader &amp; Hardie 2013, eq. 3):
    /// f(m̄ | x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q m̄^(px−1) x^(px) / (γ + m̄x)^(px+q).
    /// Defined for x &gt; 0 and m̄ &gt; 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">x = 0 or m̄ = 0.</exception>
    public static double LogLikelihood(GammaGammaParameters parameters, CustomerValueInputs customer)
    {
        if (customer.X == 0 || customer.MeanRepeatValue <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(customer), "The spend likelihood needs a repeat occasion of positive value.");
        }

        var (p, q, gamma) = (parameters.P, parameters.Q, parameters.Gamma);
        var x = (double)customer.X;
        var m = customer.MeanRepeatValue;
        var px = p * x;
        return GammaLn(px + q) - GammaLn(px) - GammaLn(q) + (q * Math.Log(gamma)) + ((px - 1) * Math.Log(m))
            + (px * Math.Log(x)) - ((px + q) * Math.Log(gamma + (m * x)));
    }

    /// <summary>
    /// E(M | x, m̄) = (γ + m̄x) p / (px + q − 1) (Fader, Hardie &amp; Lee 2005, eq. 5): a weighted
    /// mean of the population mean p γ / (q − 1) and the customer's own m̄, with weight px/(px+q−1)
    /// on m̄. With x = 0 it is the population mean.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// q ≤ 1: the population mean spend is infinite, so no expectation exists for a customer
    /// without repeat occasions. A fit never returns such parameters (it fails instead).
    /// </exception>
    public static double ExpectedAverageSpend(GammaGammaParameters parameters, CustomerValueInputs customer)
    {
        if (parameters.Q <= 1)
        {
            throw new InvalidOperationException("The Gamma-Gamma expected spend needs q > 1.");
        }

        var (p, q, gamma) = (parameters.P, parameters.Q, parameters.Gamma);
        var x = (double)customer.X;
        return (gamma + (customer.MeanRepeatValue * x)) * p / ((p * x) + q - 1);
    }

    /// <summary>
    /// Maximum-likelihood estimates of (p, q, γ) over ln p, ln q, ln γ, from the customers with
    /// x &gt; 0 and m̄ &gt; 0 (the others carry no spend information: first occasions are excluded
    /// from m̄ by definition, and a zero m̄ has no density). Fails, with a reason and no parameters,
    /// when fewer than <see cref="ValueModelFitOptions.MinimumCustomers"/> such customers exist,
    /// when the optimiser does not converge, when a parameter runs off to 0 or infinity, or when
    /// the estimate has q ≤ 1 (infinite mean spend, which cannot price a customer).
    /// </summary>
    public static ValueModelFit<GammaGammaParameters> Fit(IReadOnlyList<CustomerValueInputs> population, ValueModelFitOptions? options = null)
    {
        options ??= new ValueModelFitOptions();
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var rows = new List<PopulationTable.Row>();
        foreach (var c in population)
        {
            if (c.X > 0 && c.MeanRepeatValue > 0)
            {
                rows.Add(new PopulationTable.Row(c.X, c.MeanRepeatValue, Math.Log(c.MeanRepeatValue)));
            }
        }

        if (rows.Count < options.MinimumCustomers)
        {
            return ValueModelFit<GammaGammaParameters>.Failed(FormattableString.Invariant(
                $"too few customers with a repeat purchase of positive value: {rows.Count}, at least {options.MinimumCustomers} needed"), rows.Count);
        }

        var table = PopulationTable.Build([.. rows]);
        var likelihood = new Likelihood(table, options.MaxDegreeOfParallelism);
        MaximumLikelihood.Objective objective = likelihood.MeanNegative;

        // Start: p = 1, q = 2, γ equal to the mean m̄, so that the population mean p γ / (q − 1)
        // matches it. The sum runs over the sorted table, so the fit does not depend on input order.
        double spend = 0;
        for (var i = 0; i < table.Rows; i++)
        {
            spend += table.Weight[i] * table.U[i];
        }

        var start = new[] { 0.0, Math.Log(2.0), Math.Log(spend / table.Customers) };
        var names = new GammaGammaParameters(1, 1, 1).Names;
        var outcome = MaximumLikelihood.Minimize(objective, start, names, options);
        if (outcome.Theta is not { } theta)
        {
            return ValueModelFit<GammaGammaParameters>.Failed(outcome.Failure!, table.Customers, outcome.Iterations);
        }

        var parameters = new GammaGammaParameters(Math.Exp(theta[0]), Math.Exp(theta[1]), Math.Exp(theta[2]));
        if (parameters.Q <= 1)
        {
            return ValueModelFit<GammaGammaParameters>.Failed(FormattableString.Invariant(
                $"the estimate has q = {parameters.Q:G4} ≤ 1: the population's mean spend is infinite"), table.Customers, outcome.Iterations);
        }

        return new ValueModelFit<GammaGammaParameters>
        {
            Parameters = parameters,
            LogLikelihood = -outcome.Value * table.Customers,
            CustomerCount = table.Customers,
            Converged = outcome.Converged,
            Iterations = outcome.Iterations,
            StandardErrors = MaximumLikelihood.StandardErrors(objective, theta, table.Customers),
        };
    }

    /// <summary>
    /// The mean negative log-likelihood over θ = ln(p, q, γ) and its gradient:
    /// ∂/∂p = x (ψ(px+q) − ψ(px) + ln m̄ + ln x − ln(γ+m̄x)),
    /// ∂/∂q = ψ(px+q) − ψ(q) + ln γ − ln(γ+m̄x),
    /// ∂/∂γ = q/γ − (px+q)/(γ+m̄x).
    /// Rows hold U = m̄ and V = ln m̄.
    /// </summary>
    private sealed class Likelihood(PopulationTable table, int? maxDegreeOfParallelism)
    {
        private readonly double[] _constant = new double[table.DistinctX.Length];
        private readonly double[] _psiSum = new double[table.DistinctX.Length];
        private readonly double[] _psiPx = new double[table.DistinctX.Length];
        private readonly double[] _lnX = [.. table.DistinctX.Select(x => Math.Log(x))];
        private double _p, _q, _gamma, _lnGamma, _psiQ;

        public double MeanNegative(ReadOnlySpan<double> theta, Span<double> gradient)
        {
            _p = Math.Exp(theta[0]);
            _q = Math.Exp(theta[1]);
            _gamma = Math.Exp(theta[2]);
            _lnGamma = theta[2];
            _psiQ = DiGamma(_q);
            var lnGammaQ = GammaLn(_q);
            for (var k = 0; k < table.DistinctX.Length; k++)
            {
                var px = _p * table.DistinctX[k];
                _constant[k] = GammaLn(px + _q) - GammaLn(px) - lnGammaQ + (px * _lnX[k]);
                _psiSum[k] = DiGamma(px + _q);
                _psiPx[k] = DiGamma(px);
            }

            return table.MeanNegativeLogLikelihood([_p, _q, _gamma], maxDegreeOfParallelism, Chunk, gradient);
        }

        private void Chunk(int start, int end, double[] sums, int offset)
        {
            var (p, q, gamma, lnGamma, psiQ) = (_p, _q, _gamma, _lnGamma, _psiQ);
            var distinctX = table.DistinctX;
            var rowX = table.RowX;
            var (mean, lnMean, weight) = (table.U, table.V, table.Weight);
            double ll = 0, gp = 0, gq = 0, gGamma = 0;
            for (var i = start; i < end; i++)
            {
                var k = rowX[i];
                var x = (double)distinctX[k];
                var w = weight[i];
                var px = p * x;
                var total = gamma + (mean[i] * x);
                var lnTotal = Math.Log(total);
                ll += w * (_constant[k] + (q * lnGamma) + ((px - 1) * lnMean[i]) - ((px + q) * lnTotal));
                gp += w * x * (_psiSum[k] - _psiPx[k] + lnMean[i] + _lnX[k] - lnTotal);
                gq += w * (_psiSum[k] - psiQ + lnGamma - lnTotal);
                gGamma += w * ((q / gamma) - ((px + q) / total));
            }

            new[] { ll, gp, gq, gGamma }.CopyTo(sums, offset);
        }
    }
}

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
    /// Defined for x &gt; 0 and m̄ &gt; 0. At the limits of the model it is the limit of this
    /// density: without spread within customers m̄ ~ inverse-gamma(q, p·γ), whatever x; without
    /// spread between customers m̄ ~ Gamma(px, x·q/γ) (see <see cref="GammaGammaLimits"/>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">x = 0 or m̄ = 0.</exception>
    /// <exception cref="InvalidOperationException">The limit without any spread: m̄ has no density there, only a point mass.</exception>
    public static double LogLikelihood(GammaGammaParameters parameters, CustomerValueInputs customer)
    {
        if (customer.X == 0 || customer.MeanRepeatValue <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(customer), "The spend likelihood needs a repeat occasion of positive value.");
        }

        var x = (double)customer.X;
        var m = customer.MeanRepeatValue;
        switch (parameters.Limit)
        {
            case GammaGammaLimit.NoSpreadWithinCustomers:
            {
                var (q, beta) = (parameters.Q, parameters.PGamma!.Value);
                return (q * Math.Log(beta)) - GammaLn(q) - ((q + 1) * Math.Log(m)) - (beta / m);
            }

            case GammaGammaLimit.NoSpreadBetweenCustomers:
            {
                var (p, nu) = (parameters.P, parameters.QOverGamma!.Value);
                return (p * x * Math.Log(x * nu)) - GammaLn(p * x) + (((p * x) - 1) * Math.Log(m)) - (x * nu * m);
            }

            case GammaGammaLimit.NoSpread:
                throw new InvalidOperationException("Without any spread the spend has no density: every purchase is worth the same.");
        }

        var (pp, qq, gamma) = (parameters.P, parameters.Q, parameters.Gamma);
        var px = pp * x;
        return GammaLn(px + qq) - GammaLn(px) - GammaLn(qq) + (qq * Math.Log(gamma)) + ((px - 1) * Math.Log(m))
            + (px * Math.Log(x)) - ((px + qq) * Math.Log(gamma + (m * x)));
    }

    /// <summary>
    /// E(M | x, m̄) = (γ + m̄x) p / (px + q − 1) (Fader, Hardie &amp; Lee 2005, eq. 5): a weighted
    /// mean of the population mean p γ / (q − 1) and the customer's own m̄, with weight px/(px+q−1)
    /// on m̄. With x = 0 it is the population mean. At the limits of the model, its limit: without
    /// spread within customers (p → ∞) the weight on m̄ tends to 1, so m̄ itself for x &gt; 0 and
    /// the population mean β/(q − 1) for x = 0; without spread between customers (q → ∞) the
    /// population mean p/ν for everyone; without any spread the one value.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// q ≤ 1 and the customer has no repeat occasion (or, for the ordinary model, any customer):
    /// the population mean spend is infinite, so no expectation exists. A fit never returns such
    /// parameters (it fails instead).
    /// </exception>
    public static double ExpectedAverageSpend(GammaGammaParameters parameters, CustomerValueInputs customer)
    {
        switch (parameters.Limit)
        {
            case GammaGammaLimit.NoSpreadWithinCustomers when customer.X > 0:
                return customer.MeanRepeatValue;
            case GammaGammaLimit.NoSpreadWithinCustomers:
            case GammaGammaLimit.NoSpreadBetweenCustomers:
            case GammaGammaLimit.NoSpread:
                return parameters.PopulationMeanSpend
                    ?? throw new InvalidOperationException("The Gamma-Gamma expected spend needs q > 1.");
        }

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
    /// from m̄ by definition, and a zero m̄ has no density), or of a limit of the model
    /// (<see cref="GammaGammaLimit"/>) where the likelihood is highest at the edge of the
    /// parameter space. Fails, with a reason and no parameters, when fewer than
    /// <see cref="ValueModelFitOptions.MinimumCustomers"/> such customers exist, or when the
    /// ordinary fit fails (the optimiser does not converge, a parameter runs off to 0 or
    /// infinity, or the estimate has q ≤ 1, an infinite mean spend that cannot price a customer)
    /// and no limit of the model is a maximum of the likelihood.
    /// <para>
    /// The limits, by rule:
    /// <list type="number">
    /// <item>The customers' mean repeat values m̄ agree to within a relative standard deviation
    /// of e⁻¹⁰ ≈ 4.5·10⁻⁵ (<see cref="GammaGammaLimits.NegligibleSpread"/>): no spread at all
    /// (p, q → ∞; the likelihood grows without bound there), every purchase worth the mean repeat
    /// purchase value Σ x m̄ / Σ x. The ordinary fit is not tried.</item>
    /// <item>Otherwise the ordinary fit and both one-sided limits (p → ∞ and q → ∞, each solved
    /// exactly, see <see cref="GammaGammaLimits"/>) are estimated. A limit counts only when it is
    /// a maximum (its slope, the derivative of the log-likelihood as spread comes back, is at or
    /// below 0) and has a finite population mean. The estimate is the counted limit with the
    /// highest log-likelihood unless the ordinary fit succeeded with a log-likelihood above it
    /// by more than the ordinary likelihood's own rounding error (near a limit its terms grow
    /// with p or q, and an ordinary estimate no better than that stopped on the way to the
    /// limit); otherwise the ordinary estimate, or its failure.</item>
    /// </list>
    /// A limit's fit says which and why in <see cref="ValueModelFit{T}.LimitReason"/>.
    /// </para>
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
        var spread = GammaGammaLimits.SpreadOfMeans(table);
        if (spread < GammaGammaLimits.NegligibleSpread)
        {
            var flat = GammaGammaParameters.WithoutSpread(GammaGammaLimits.MeanPurchaseValue(table));
            return new ValueModelFit<GammaGammaParameters>
            {
                Parameters = flat,
                CustomerCount = table.Customers,
                Converged = true,
                LimitReason = FormattableString.Invariant(
                    $"{flat.Description}; the customers' mean repeat values have a relative spread of {spread:G3}, below e^-10, so p and q run off to infinity and the likelihood grows without bound"),
            };
        }

        var (ordinary, rounding) = FitOrdinary(table, options);
        var within = GammaGammaLimits.WithinCustomers(table, options.MaxDegreeOfParallelism);
        var between = GammaGammaLimits.BetweenCustomers(table, options.MaxDegreeOfParallelism);
        GammaGammaLimits.Estimate? best = null;
        foreach (var limit in new[] { within, between })
        {
            if (limit.Slope <= 0 && limit.Parameters.PopulationMeanSpend is not null && (best is null || limit.LogLikelihood > best.LogLikelihood))
            {
                best = limit;
            }
        }

        if (best is null
            || (ordinary.LogLikelihood is { } ordinaryLikelihood && best.LogLikelihood < ordinaryLikelihood - rounding))
        {
            return ordinary;
        }

        var sense = best.Parameters.Limit == GammaGammaLimit.NoSpreadWithinCustomers ? "p" : "q";
        var instead = ordinary.Success
            ? FormattableString.Invariant(
                $"the ordinary estimate ({ordinary.Parameters}) stopped on the way to it: its log-likelihood is {ordinary.LogLikelihood - best.LogLikelihood:G3} from the limit's, within its rounding error of {rounding:G3}")
            : $"the ordinary fit failed: {ordinary.FailureReason}";
        return new ValueModelFit<GammaGammaParameters>
        {
            Parameters = best.Parameters,
            LogLikelihood = best.LogLikelihood,
            CustomerCount = table.Customers,
            Converged = true,
            Iterations = ordinary.Iterations + best.Iterations,
            StandardErrors = MaximumLikelihood.StandardErrors(best.Objective, best.Theta, table.Customers),
            LimitReason = FormattableString.Invariant(
                $"{best.Parameters.Description}; the likelihood is highest there (slope {best.Slope:G3} ≤ 0 in 1/{sense}, log-likelihood {best.LogLikelihood:G8}), and {instead}"),
        };
    }

    /// <summary>
    /// The ordinary fit: every parameter finite, or a failure; with the rounding error its
    /// log-likelihood may carry (0 on failure, see <see cref="Likelihood.RoundingBound"/>).
    /// </summary>
    private static (ValueModelFit<GammaGammaParameters> Fit, double Rounding) FitOrdinary(PopulationTable table, ValueModelFitOptions options)
    {
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
            return (ValueModelFit<GammaGammaParameters>.Failed(outcome.Failure!, table.Customers, outcome.Iterations), 0);
        }

        var parameters = new GammaGammaParameters(Math.Exp(theta[0]), Math.Exp(theta[1]), Math.Exp(theta[2]));
        if (parameters.Q <= 1)
        {
            return (ValueModelFit<GammaGammaParameters>.Failed(FormattableString.Invariant(
                $"the estimate has q = {parameters.Q:G4} ≤ 1: the population's mean spend is infinite"), table.Customers, outcome.Iterations), 0);
        }

        return (new ValueModelFit<GammaGammaParameters>
        {
            Parameters = parameters,
            LogLikelihood = -outcome.Value * table.Customers,
            CustomerCount = table.Customers,
            Converged = outcome.Converged,
            Iterations = outcome.Iterations,
            StandardErrors = MaximumLikelihood.StandardErrors(objective, theta, table.Customers),
        }, likelihood.RoundingBound(theta));
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

        /// <summary>
        /// A bound on the rounding error of the log-likelihood (the sum over customers) at θ:
        /// 64 units in the last place (2⁻⁴⁶) of the sum of the magnitudes of the terms it adds.
        /// Near a limit of the model the terms grow with p or q (ln Γ(px) ~ px ln px) while the
        /// log-likelihood does not, so this is what tells a real gain from noise there.
        /// </summary>
        public double RoundingBound(ReadOnlySpan<double> theta)
        {
            var (p, q, gamma) = (Math.Exp(theta[0]), Math.Exp(theta[1]), Math.Exp(theta[2]));
            var perX = new double[table.DistinctX.Length];
            for (var k = 0; k < perX.Length; k++)
            {
                var px = p * table.DistinctX[k];
                perX[k] = Math.Abs(GammaLn(px + q)) + Math.Abs(GammaLn(px)) + Math.Abs(GammaLn(q)) + Math.Abs(q * theta[2]) + Math.Abs(px * _lnX[k]);
            }

            var magnitude = 0.0;
            for (var i = 0; i < table.Rows; i++)
            {
                var k = table.RowX[i];
                var px = p * table.DistinctX[k];
                magnitude += table.Weight[i] * (perX[k] + Math.Abs((px - 1) * table.V[i]) + Math.Abs((px + q) * Math.Log(gamma + (table.U[i] * table.DistinctX[k]))));
            }

            return magnitude * Math.Pow(2, -46);
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

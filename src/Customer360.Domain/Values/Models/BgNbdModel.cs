using static MathNet.Numerics.SpecialFunctions;

namespace Customer360.Domain.Values.Models;

/// <summary>
/// The BG/NBD model of repeat purchasing: Fader, Hardie &amp; Lee (2005), "'Counting Your
/// Customers' the Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2).
/// While active a customer buys as a Poisson process of rate λ; after each repeat purchase the
/// customer drops out with probability p; λ ~ Gamma(r, α) and p ~ Beta(a, b) across customers.
/// Times are in weeks.
/// <para>
/// Numerics. Everything is evaluated in log space around one quantity,
/// u = ln a − ln(b + x − 1) + (r + x) ln((α + T) / (α + t_x)),
/// the log-odds that a customer with x &gt; 0 has already dropped out (paper, eq. 6 and 13);
/// (r + x) ln((α + T)/(α + t_x)) is taken as (r + x) log1p((T − t_x)/(α + t_x)). P(alive) is a
/// logistic of −u and the likelihood's sum of two terms a softplus of u, so neither overflows for
/// large x, t_x = T, or T near 0; x = 0 gives P(alive) = 1 exactly. Every figure returned is finite.
/// </para>
/// </summary>
public static class BgNbdModel
{
    /// <summary>
    /// One customer's log-likelihood (paper, eq. 6):
    /// L = B(a, b+x)/B(a, b) · Γ(r+x) αʳ / (Γ(r) (α+T)^(r+x))
    ///   + 1{x&gt;0} · B(a+1, b+x−1)/B(a, b) · Γ(r+x) αʳ / (Γ(r) (α+t_x)^(r+x)),
    /// evaluated as ln L = ln Γ(r+x) − ln Γ(r) + ln Γ(a+b) + ln Γ(b+x) − ln Γ(b) − ln Γ(a+b+x)
    /// − r log1p(T/α) − x ln(α+T) + 1{x&gt;0} softplus(u).
    /// </summary>
    public static double LogLikelihood(BgNbdParameters parameters, CustomerValueInputs customer)
    {
        var (r, alpha, a, b) = (parameters.R, parameters.Alpha, parameters.A, parameters.B);
        var x = customer.X;
        var ll = GammaLn(r + x) - GammaLn(r) + GammaLn(a + b) + GammaLn(b + x) - GammaLn(b) - GammaLn(a + b + x)
            - (r * ModelMath.Log1p(customer.T / alpha)) - (x * Math.Log(alpha + customer.T));
        return x == 0 ? ll : ll + ModelMath.Softplus(DropoutLogOdds(parameters, customer));
    }

    /// <summary>
    /// P(alive | x, t_x, T) = 1 / (1 + 1{x&gt;0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)) (paper, eq. 13);
    /// exactly 1 when x = 0.
    /// </summary>
    public static double ProbabilityAlive(BgNbdParameters parameters, CustomerValueInputs customer) =>
        customer.X == 0 ? 1.0 : ModelMath.Logistic(-DropoutLogOdds(parameters, customer));

    /// <summary>
    /// E[Y(t) | x, t_x, T], the expected number of purchases in the next <paramref name="weeks"/>
    /// (paper, eq. 10):
    /// E = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z)] · P(alive),
    /// z = t/(α+T+t).
    /// <para>
    /// Euler's transformation turns ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; c; z) into
    /// (1−z)^(a−1) ₂F₁(c−r−x, a−1; c; z) with c = a+b+x−1, whose series converges fast even
    /// for large x. Writing ₂F₁(β, a−1; c; z) = 1 + β(a−1)/c · tail (see
    /// <see cref="Hypergeometric"/>), with β = a+b−1−r and L = ln(1−z), gives
    /// E = P(alive) · [c · (−expm1((a−1)L)/(a−1)) − e^((a−1)L) β · tail],
    /// which has no singularity at a = 1 (the first factor tends to −L) nor at a+b+x = 1.
    /// Rounding below zero is returned as 0; a non-finite intermediate, reachable only with
    /// parameters far outside anything a fit produces, is also returned as 0 rather than NaN.
    /// </para>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="weeks"/> is negative or not finite.</exception>
    public static double ExpectedPurchases(BgNbdParameters parameters, CustomerValueInputs customer, double weeks)
    {
        // Beyond this (a − 1) z the tail series is long and the paper's form is used instead.
        const double DirectFormAbove = 50;

        // Most that the terms of the tail form may exceed its result by (digits lost).
        const double MaximumCancellation = 1e4;

        if (!double.IsFinite(weeks) || weeks < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(weeks), weeks, "The horizon must be finite and not negative.");
        }

        if (weeks == 0)
        {
            return 0;
        }

        var (r, alpha, a, b) = (parameters.R, parameters.Alpha, parameters.A, parameters.B);
        var x = customer.X;
        var aT = alpha + customer.T;
        var z = weeks / (aT + weeks);
        var logOneMinusZ = -ModelMath.Log1p(weeks / aT);
        var epsilon = a - 1;
        var c = a + b + x - 1;
        var beta = a + b - 1 - r;

        var expected = double.NaN;
        if (epsilon * z > DirectFormAbove)
        {
            // A large a (with b larger still: dropout nearly the same for every customer, which
            // a fit reaches when the data say little about its spread). The series behind the
            // tail then needs about (a − 1) z terms, millions for a fitted a of 10⁷; the paper's
            // own form, 2F1(r+x, b+x; c; z), converges at the rate b z / (a + b) instead, and
            // a − 1 is far from 0, so it has no singularity to avoid:
            // E = P(alive) · c/(a − 1) · [1 − (1 − z)^(r+x) 2F1(r+x, b+x; c; z)].
            // With x above a − 1 that 2F1 grows like (1 − z)^(a−1−r−x), beyond a double for a
            // customer who buys nearly every day over a horizon of years; the tail form, whose
            // series is then short, takes over; so it does if the series cannot be summed at all.
            try
            {
                var series = Hypergeometric.Gauss2F1(r + x, b + x, c, z);
                var bracket = -ModelMath.ExpM1(((r + x) * logOneMinusZ) + Math.Log(series));
                expected = ProbabilityAlive(parameters, customer) * c / epsilon * bracket;
            }
            catch (ArithmeticException)
            {
                expected = double.NaN;
            }
        }

        if (!double.IsFinite(expected))
        {
            var growth = epsilon == 0 ? -logOneMinusZ : -ModelMath.ExpM1(epsilon * logOneMinusZ) / epsilon;
            var tail = Hypergeometric.Tail(beta, epsilon, c, z, out var tailMagnitude);
            var factor = Math.Exp(epsilon * logOneMinusZ) * beta;
            var bracket = (c * growth) - (factor * tail);
            expected = ProbabilityAlive(parameters, customer) * bracket;

            // With r well above a + b (purchase rates much alike across customers) β is far below
            // 0 and the tail's terms alternate, climbing far above their sum: the figure is then
            // noise, 0 or 10²⁰ for r near 100. The paper's own form, whose series has only
            // positive terms when c > 0, is taken instead, away from its singularity at a = 1.
            var noise = Math.Abs(c * growth) + (Math.Abs(factor) * tailMagnitude);
            if (noise > MaximumCancellation * Math.Abs(bracket) && c > 0 && Math.Abs(epsilon) >= 1e-3)
            {
                var series = Hypergeometric.PositiveSeries(r + x, b + x, c, z);
                var direct = ProbabilityAlive(parameters, customer) * c / epsilon
                    * -ModelMath.ExpM1(((r + x) * logOneMinusZ) + Math.Log(series));
                if (double.IsFinite(direct))
                {
                    expected = direct;
                }
            }
            else if (noise > MaximumCancellation * Math.Abs(bracket) && c <= 0)
            {
                // Only x = 0 with a + b ≤ 1, so a < 1 and c in (−1, 0], where the paper's form
                // has no positive series either. Its 2F1(r, b; c; z) is 1 + (r b / c) · tail with
                // a tail of positive terms (c > −1), and with S = r b · tail the expectation is
                // E = [−c (1 − (1 − z)^r) + (1 − z)^r S] / (1 − a): two terms of one sign, with
                // no singularity at c = 0 (P(alive) = 1).
                var tailOfPaper = Hypergeometric.Tail(r, b, c, z);
                var scaled = Math.Exp((r * logOneMinusZ) + Math.Log(r * b * tailOfPaper));
                var direct = ((-c * -ModelMath.ExpM1(r * logOneMinusZ)) + scaled) / -epsilon;
                if (double.IsFinite(direct))
                {
                    expected = direct;
                }
            }
        }

        return double.IsFinite(expected) ? Math.Max(0, expected) : 0;
    }

    /// <summary>
    /// Maximum-likelihood estimates of (r, α, a, b) for a population, over ln r, ln α, ln a, ln b
    /// with BFGS on the analytic gradient (Nelder-Mead when BFGS fails). Customers with identical
    /// (x, t_x, T) are summed once with a weight. Fails, with a reason and no parameters, when the
    /// population has fewer than <see cref="ValueModelFitOptions.MinimumCustomers"/> customers,
    /// when nobody made a repeat purchase (the log-likelihood is then −r Σ ln(1 + T/α), largest in
    /// the limit r → 0: such a population says nothing about purchase rates or dropout, so no
    /// finite estimate exists), when the optimiser does not
    /// converge, or when a parameter runs off to 0 or infinity.
    /// </summary>
    public static ValueModelFit<BgNbdParameters> Fit(IReadOnlyList<CustomerValueInputs> population, ValueModelFitOptions? options = null)
    {
        options ??= new ValueModelFitOptions();
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        if (population.Count < options.MinimumCustomers)
        {
            return ValueModelFit<BgNbdParameters>.Failed(FormattableString.Invariant(
                $"too few customers: {population.Count}, at least {options.MinimumCustomers} needed"), population.Count);
        }

        var rows = new PopulationTable.Row[population.Count];
        var anyRepeat = false;
        for (var i = 0; i < rows.Length; i++)
        {
            var c = population[i];
            rows[i] = new PopulationTable.Row(c.X, c.Tx, c.T);
            anyRepeat |= c.X > 0;
        }

        if (!anyRepeat)
        {
            return ValueModelFit<BgNbdParameters>.Failed(
                "nobody made a repeat purchase: the population does not identify purchase rates or dropout", population.Count);
        }

        var table = PopulationTable.Build(rows);
        var likelihood = new Likelihood(table, options.MaxDegreeOfParallelism);
        MaximumLikelihood.Objective objective = likelihood.MeanNegative;

        // Start: r = 1 with α matching the observed repeat rate, a = 1, b = 1. The sums run over
        // the sorted table, so the start, and with it the fit, does not depend on input order.
        double repeats = 0, weeks = 0;
        for (var i = 0; i < table.Rows; i++)
        {
            repeats += table.Weight[i] * table.DistinctX[table.RowX[i]];
            weeks += table.Weight[i] * table.V[i];
        }

        var start = new[] { 0.0, Math.Log(Math.Clamp(weeks / repeats, 1e-3, 1e6)), 0.0, 0.0 };
        var names = new BgNbdParameters(1, 1, 1, 1).Names;
        var outcome = MaximumLikelihood.Minimize(objective, start, names, options);
        if (outcome.Theta is not { } theta)
        {
            return ValueModelFit<BgNbdParameters>.Failed(outcome.Failure!, table.Customers, outcome.Iterations);
        }

        return new ValueModelFit<BgNbdParameters>
        {
            Parameters = new BgNbdParameters(Math.Exp(theta[0]), Math.Exp(theta[1]), Math.Exp(theta[2]), Math.Exp(theta[3])),
            LogLikelihood = -outcome.Value * table.Customers,
            CustomerCount = table.Customers,
            Converged = outcome.Converged,
            Iterations = outcome.Iterations,
            StandardErrors = MaximumLikelihood.StandardErrors(objective, theta, table.Customers),
        };
    }

    /// <summary>u: the log-odds of having dropped out, for x &gt; 0 (see the class remarks).</summary>
    private static double DropoutLogOdds(BgNbdParameters parameters, CustomerValueInputs customer)
    {
        var (r, alpha, a, b) = (parameters.R, parameters.Alpha, parameters.A, parameters.B);
        var x = customer.X;
        return Math.Log(a) - Math.Log(b + x - 1)
            + ((r + x) * ModelMath.Log1p((customer.T - customer.Tx) / (alpha + customer.Tx)));
    }

    /// <summary>
    /// The population's mean negative log-likelihood and its gradient over θ = ln(r, α, a, b).
    /// With K the x-only part of ln L and u as in the class remarks,
    /// ∂/∂r = ψ(r+x) − ψ(r) + ln α − ln(α+T) + w ln((α+T)/(α+t_x)),
    /// ∂/∂α = r/α − (r+x)/(α+T) + w (r+x) (1/(α+T) − 1/(α+t_x)),
    /// ∂/∂a = ψ(a+b) − ψ(a+b+x) + w/a,
    /// ∂/∂b = ψ(a+b) − ψ(b) + ψ(b+x) − ψ(a+b+x) − w/(b+x−1),
    /// where w = 1{x&gt;0} σ(u) is the posterior weight of "dropped out after the last purchase".
    /// </summary>
    private sealed class Likelihood(PopulationTable table, int? maxDegreeOfParallelism)
    {
        private readonly double[] _constant = new double[table.DistinctX.Length];
        private readonly double[] _logOdds = new double[table.DistinctX.Length];
        private readonly double[] _dr = new double[table.DistinctX.Length];
        private readonly double[] _da = new double[table.DistinctX.Length];
        private readonly double[] _db = new double[table.DistinctX.Length];
        private readonly double[] _inverseB = new double[table.DistinctX.Length];
        private double _r, _alpha, _a, _lnAlpha;

        public double MeanNegative(ReadOnlySpan<double> theta, Span<double> gradient)
        {
            _r = Math.Exp(theta[0]);
            _alpha = Math.Exp(theta[1]);
            _a = Math.Exp(theta[2]);
            var b = Math.Exp(theta[3]);
            _lnAlpha = theta[1];
            var (r, a) = (_r, _a);
            var lnGammaR = GammaLn(r);
            var lnGammaAb = GammaLn(a + b) - GammaLn(b);
            var (psiR, psiAb, psiB) = (DiGamma(r), DiGamma(a + b), DiGamma(b));
            for (var k = 0; k < table.DistinctX.Length; k++)
            {
                var x = table.DistinctX[k];
                var psiAbx = DiGamma(a + b + x);
                _constant[k] = GammaLn(r + x) - lnGammaR + lnGammaAb + GammaLn(b + x) - GammaLn(a + b + x);
                _logOdds[k] = x > 0 ? Math.Log(a) - Math.Log(b + x - 1) : 0;
                _inverseB[k] = x > 0 ? 1 / (b + x - 1) : 0;
                _dr[k] = DiGamma(r + x) - psiR;
                _da[k] = psiAb - psiAbx;
                _db[k] = psiAb - psiB + DiGamma(b + x) - psiAbx;
            }

            return table.MeanNegativeLogLikelihood([r, _alpha, a, b], maxDegreeOfParallelism, Chunk, gradient);
        }

        private void Chunk(int start, int end, double[] sums, int offset)
        {
            var (r, alpha, a, lnAlpha) = (_r, _alpha, _a, _lnAlpha);
            var distinctX = table.DistinctX;
            var rowX = table.RowX;
            var (tx, t, weight) = (table.U, table.V, table.Weight);
            double ll = 0, gr = 0, gAlpha = 0, ga = 0, gb = 0;
            for (var i = start; i < end; i++)
            {
                var k = rowX[i];
                var x = distinctX[k];
                var w = weight[i];
                var alphaT = alpha + t[i];
                var lnAlphaT = Math.Log(alphaT);
                var rx = r + x;
                var value = _constant[k] + (r * lnAlpha) - (rx * lnAlphaT);
                var dr = _dr[k] + lnAlpha - lnAlphaT;
                var dAlpha = (r / alpha) - (rx / alphaT);
                var da = _da[k];
                var db = _db[k];
                if (x > 0)
                {
                    var alphaTx = alpha + tx[i];
                    var span = ModelMath.Log1p((t[i] - tx[i]) / alphaTx);
                    var u = _logOdds[k] + (rx * span);
                    double softplus, sigma;
                    if (u > 0)
                    {
                        var e = Math.Exp(-u);
                        softplus = u + ModelMath.Log1p(e);
                        sigma = 1 / (1 + e);
                    }
                    else
                    {
                        var e = Math.Exp(u);
                        softplus = ModelMath.Log1p(e);
                        sigma = e / (1 + e);
                    }

                    value += softplus;
                    dr += sigma * span;
                    dAlpha += sigma * rx * ((1 / alphaT) - (1 / alphaTx));
                    da += sigma / a;
                    db -= sigma * _inverseB[k];
                }

                ll += w * value;
                gr += w * dr;
                gAlpha += w * dAlpha;
                ga += w * da;
                gb += w * db;
            }

            new[] { ll, gr, gAlpha, ga, gb }.CopyTo(sums, offset);
        }
    }
}

namespace Customer360.Domain.Values.Models;

/// <summary>The parameters of a fitted value model, by name, in a fixed order.</summary>
public interface IValueModelParameters
{
    /// <summary>Parameter names, e.g. r, alpha, a, b.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>Parameter values, in the order of <see cref="Names"/>.</summary>
    IReadOnlyList<double> Values { get; }
}

/// <summary>
/// The outcome of a maximum-likelihood fit. On success <see cref="Parameters"/> is set, and
/// <see cref="LogLikelihood"/> too unless the estimate is a limit of the model where the
/// likelihood is unbounded (Gamma-Gamma without any spread); on failure both are null and
/// <see cref="FailureReason"/> says why. No figure is ever NaN or infinite.
/// </summary>
public sealed record ValueModelFit<TParameters>
    where TParameters : class, IValueModelParameters
{
    public bool Success => FailureReason is null;

    /// <summary>Why the fit failed: too few customers, a degenerate population, no convergence.</summary>
    public string? FailureReason { get; init; }

    public TParameters? Parameters { get; init; }

    /// <summary>
    /// Set when the estimate is a limit of the model rather than a point inside its parameter
    /// space (<see cref="GammaGammaLimit"/>): which limit, what it means for a customer's
    /// expected figures, and why the fit settled there. Null for an ordinary estimate.
    /// </summary>
    public string? LimitReason { get; init; }

    /// <summary>
    /// The log-likelihood of the population at <see cref="Parameters"/> (a sum over customers);
    /// null on failure, and at a limit where the likelihood is unbounded.
    /// </summary>
    public double? LogLikelihood { get; init; }

    /// <summary>Customers the likelihood covered (for Gamma-Gamma, those with a repeat occasion of positive value).</summary>
    public long CustomerCount { get; init; }

    /// <summary>True when the optimiser stopped on a small gradient; always for a limit of the model, whose estimate is solved directly.</summary>
    public bool Converged { get; init; }

    /// <summary>Optimiser iterations spent, over all stages.</summary>
    public int Iterations { get; init; }

    /// <summary>
    /// Asymptotic standard errors of the parameters, in the order of
    /// <see cref="IValueModelParameters.Names"/>: square roots of the diagonal of the inverse
    /// Hessian of the negative log-likelihood in natural parameter space, taken by central
    /// differences of the analytic gradient. Null when the Hessian is not positive definite.
    /// </summary>
    public IReadOnlyList<double>? StandardErrors { get; init; }

    public static ValueModelFit<TParameters> Failed(string reason, long customerCount, int iterations = 0) =>
        new() { FailureReason = reason, CustomerCount = customerCount, Iterations = iterations };
}

/// <summary>Settings of the maximum-likelihood fits.</summary>
public sealed record ValueModelFitOptions
{
    /// <summary>Fewest customers a fit accepts (for Gamma-Gamma: customers with a valued repeat occasion).</summary>
    public int MinimumCustomers { get; init; } = 10;

    /// <summary>Iteration limit of each optimiser stage (BFGS, and Nelder-Mead when BFGS fails).</summary>
    public int MaximumIterations { get; init; } = 1000;

    /// <summary>
    /// Convergence, on the relative gradient g = maxᵢ |∂f/∂θᵢ| · max(|θᵢ|, 1) / max(|f|, 1) over the
    /// log-parameters θ, with f the mean negative log-likelihood per customer: BFGS stops once
    /// g is below this, and a fit counts as converged when g at its end is below 100 times this
    /// (BFGS may also stop for lack of progress a little above it).
    /// </summary>
    public double GradientTolerance { get; init; } = 1e-9;

    /// <summary>Threads for the likelihood sums; null for all cores. Results do not depend on it.</summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>Null when the options are usable, otherwise what is wrong.</summary>
    public string? Problem() =>
        MinimumCustomers < 1 ? "MinimumCustomers must be at least 1"
        : MaximumIterations < 1 ? "MaximumIterations must be at least 1"
        : !(GradientTolerance > 0) || !double.IsFinite(GradientTolerance) ? "GradientTolerance must be positive"
        : MaxDegreeOfParallelism is < 1 ? "MaxDegreeOfParallelism must be at least 1"
        : null;
}

using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Customer360.Domain.Values.Models;

/// <summary>
/// Minimises a mean negative log-likelihood over log-parameters θ = ln φ (all model parameters
/// are positive), with MathNet.Numerics: BFGS on the analytic gradient first; when BFGS fails
/// or stops short, Nelder-Mead from the start followed by BFGS again. Standard errors come from
/// the Hessian in natural parameter space, by central differences of the analytic gradient.
/// </summary>
internal static class MaximumLikelihood
{
    /// <summary>Beyond this |θ| (φ outside [e⁻³⁰, e³⁰]) the objective is walled off.</summary>
    private const double Wall = 30;

    /// <summary>A converged |θ| beyond this means a parameter ran off to 0 or ∞.</summary>
    private const double Divergence = 20;

    /// <summary>A BFGS stop with a relative gradient within this factor of the tolerance still counts.</summary>
    private const double AcceptanceSlack = 100;

    /// <summary>Mean negative log-likelihood at θ, with its gradient in θ written to <c>gradient</c>.</summary>
    public delegate double Objective(ReadOnlySpan<double> theta, Span<double> gradient);

    public sealed record Outcome(double[]? Theta, double Value, bool Converged, int Iterations, string? Failure);

    public static Outcome Minimize(Objective objective, double[] start, IReadOnlyList<string> names, ValueModelFitOptions options)
    {
        var iterations = 0;
        var accept = options.GradientTolerance * AcceptanceSlack;

        var point = RunBfgs(objective, start, options, ref iterations);
        if (point is null || RelativeGradient(objective, point) > accept)
        {
            var simplex = RunNelderMead(objective, start, options, ref iterations);
            if (simplex is not null)
            {
                point = RunBfgs(objective, simplex, options, ref iterations) ?? simplex;
            }
        }

        if (point is null || RelativeGradient(objective, point) > accept)
        {
            return new Outcome(null, 0, false, iterations, FormattableString.Invariant(
                $"the optimiser did not converge within {options.MaximumIterations} iterations per stage"));
        }

        for (var i = 0; i < point.Length; i++)
        {
            if (Math.Abs(point[i]) > Divergence)
            {
                return new Outcome(null, 0, true, iterations, FormattableString.Invariant(
                    $"parameter {names[i]} ran off to {(point[i] > 0 ? "infinity" : "zero")}: the population does not identify the model"));
            }
        }

        var value = objective(point, new double[point.Length]);
        return new Outcome(point, value, true, iterations, null);
    }

    /// <summary>
    /// Standard errors in natural parameter space: H = N ∂²f/∂φ∂φ by central differences of the
    /// gradient (step 10⁻⁴ φ), symmetrised; SEᵢ = √(H⁻¹)ᵢᵢ. Null unless H is positive definite.
    /// </summary>
    public static double[]? StandardErrors(Objective objective, double[] theta, long customers)
    {
        var n = theta.Length;
        var hessian = new double[n, n];
        var shifted = new double[n];
        var up = new double[n];
        var down = new double[n];
        for (var j = 0; j < n; j++)
        {
            var phi = Math.Exp(theta[j]);
            var h = 1e-4 * phi;
            NaturalGradient(objective, theta, j, phi + h, shifted, up);
            NaturalGradient(objective, theta, j, phi - h, shifted, down);
            for (var i = 0; i < n; i++)
            {
                hessian[i, j] = customers * (up[i] - down[i]) / (2 * h);
            }
        }

        var matrix = Matrix<double>.Build.Dense(n, n, (i, j) => (hessian[i, j] + hessian[j, i]) / 2);
        if (!matrix.Enumerate().All(double.IsFinite))
        {
            return null;
        }

        try
        {
            var covariance = matrix.Cholesky().Solve(Matrix<double>.Build.DenseIdentity(n));
            var errors = new double[n];
            for (var i = 0; i < n; i++)
            {
                errors[i] = Math.Sqrt(covariance[i, i]);
            }

            return errors.All(e => double.IsFinite(e) && e > 0) ? errors : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>∂f/∂φ at θ with φ_j replaced by <paramref name="phiJ"/>.</summary>
    private static void NaturalGradient(Objective objective, double[] theta, int j, double phiJ, double[] shifted, double[] gradient)
    {
        theta.CopyTo(shifted, 0);
        shifted[j] = Math.Log(phiJ);
        objective(shifted, gradient);
        for (var i = 0; i < shifted.Length; i++)
        {
            gradient[i] /= Math.Exp(shifted[i]);
        }
    }

    private static double[]? RunBfgs(Objective objective, double[] start, ValueModelFitOptions options, ref int iterations) =>
        Run(new BfgsMinimizer(options.GradientTolerance, 1e-12, 1e-14, options.MaximumIterations).FindMinimum, objective, start, options, ref iterations);

    private static double[]? RunNelderMead(Objective objective, double[] start, ValueModelFitOptions options, ref int iterations) =>
        Run(new NelderMeadSimplex(1e-12, options.MaximumIterations).FindMinimum, objective, start, options, ref iterations);

    /// <summary>Runs one optimiser stage; null when it throws (line search failure, iteration limit).</summary>
    private static double[]? Run(
        Func<IObjectiveFunction, Vector<double>, MinimizationResult> minimize,
        Objective objective,
        double[] start,
        ValueModelFitOptions options,
        ref int iterations)
    {
        try
        {
            var result = minimize(Walled(objective), Vector<double>.Build.DenseOfArray(start));
            iterations += result.Iterations;
            return result.MinimizingPoint.ToArray();
        }
        catch (Exception e) when (e is OptimizationException or ArgumentException or ArithmeticException)
        {
            iterations += e is MaximumIterationsException ? options.MaximumIterations : 0;
            return null;
        }
    }

    /// <summary>
    /// The objective for MathNet, walled off outside |θ| ≤ 30 and wherever it is not finite: a
    /// huge finite value with a gradient pointing back inside, so line searches shrink their step.
    /// </summary>
    private static IObjectiveFunction Walled(Objective objective) =>
        ObjectiveFunction.Gradient(v =>
        {
            var theta = v.ToArray();
            var gradient = new double[theta.Length];
            var outside = theta.Any(t => !(Math.Abs(t) <= Wall));
            var value = outside ? double.NaN : objective(theta, gradient);
            if (!double.IsFinite(value) || !gradient.All(double.IsFinite))
            {
                for (var i = 0; i < theta.Length; i++)
                {
                    gradient[i] = double.IsNaN(theta[i]) ? 0 : Math.Sign(theta[i]);
                }

                value = 1e100;
            }

            return (value, Vector<double>.Build.DenseOfArray(gradient));
        });

    /// <summary>max |gᵢ| · max(|θᵢ|, 1) / max(|f|, 1), the measure MathNet's BFGS stops on.</summary>
    private static double RelativeGradient(Objective objective, double[] theta)
    {
        var gradient = new double[theta.Length];
        var value = objective(theta, gradient);
        if (!double.IsFinite(value))
        {
            return double.PositiveInfinity;
        }

        var worst = 0.0;
        for (var i = 0; i < theta.Length; i++)
        {
            var g = Math.Abs(gradient[i]) * Math.Max(Math.Abs(theta[i]), 1) / Math.Max(Math.Abs(value), 1);
            worst = double.IsFinite(g) ? Math.Max(worst, g) : double.PositiveInfinity;
        }

        return worst;
    }
}

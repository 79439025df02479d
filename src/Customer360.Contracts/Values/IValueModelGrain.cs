using Customer360.Domain.Values;
using Orleans.Concurrency;

namespace Customer360.Contracts.Values;

/// <summary>
/// The service's one value model (key <see cref="Key"/>): fits BG/NBD and Gamma-Gamma over every
/// customer's purchase history in the log, keeps the current fitted model, and says how the last
/// fit went. Each silo scores customers with its copy of the current model.
/// </summary>
[Alias("c360.IValueModelGrain")]
public interface IValueModelGrain : IGrainWithStringKey
{
    public const string Key = "current";

    /// <summary>The current model (null before the first successful fit) and the last fit's outcome.</summary>
    [Alias("Get"), AlwaysInterleave]
    Task<ValueModelStatus> GetAsync();

    /// <summary>
    /// Fits the models on every customer's touchpoints with event times up to
    /// <paramref name="calibrationEnd"/> (now when null). On success the result becomes the
    /// current model with the next version; on failure the current model stays and the outcome
    /// says why. Fits run one at a time.
    /// </summary>
    [Alias("Fit")]
    Task<ValueModelFitOutcome> FitAsync(DateTimeOffset? calibrationEnd);
}

/// <summary>The current model, if any, with the report of the fit that made it and the last failure since.</summary>
[GenerateSerializer, Alias("c360.ValueModelStatus"), Immutable]
public sealed record ValueModelStatus(
    [property: Id(0)] ValueModel? Model,
    [property: Id(1)] ValueModelFitReport? Report,
    [property: Id(2)] string? LastFailure,
    [property: Id(3)] DateTimeOffset? LastFailureAt,
    [property: Id(4)] bool Fitting);

/// <summary>The model a fit made with its report, or why it failed.</summary>
[GenerateSerializer, Alias("c360.ValueModelFitOutcome"), Immutable]
public sealed record ValueModelFitOutcome(
    [property: Id(0)] ValueModelFitReport? Report,
    [property: Id(1)] string? FailureReason,
    [property: Id(2)] ValueModel? Model = null);

/// <summary>What a successful fit produced and how well it fitted.</summary>
[GenerateSerializer, Alias("c360.ValueModelFitReport"), Immutable]
public sealed record ValueModelFitReport(
    [property: Id(0)] long Version,
    [property: Id(1)] DateTimeOffset FittedAt,
    [property: Id(2)] DateTimeOffset CalibrationEnd,
    [property: Id(3)] long Customers,
    [property: Id(4)] ModelFitSummary Purchasing,
    [property: Id(5)] ModelFitSummary Spending,
    [property: Id(6)] TimeSpan Duration);

/// <summary>One model's maximum-likelihood fit: parameters by name, standard errors, log-likelihood, customers, convergence.</summary>
[GenerateSerializer, Alias("c360.ModelFitSummary"), Immutable]
public sealed record ModelFitSummary(
    [property: Id(0)] string Model,
    [property: Id(1)] string[] Names,
    [property: Id(2)] double[] Values,
    [property: Id(3)] double[]? StandardErrors,
    [property: Id(4)] double LogLikelihood,
    [property: Id(5)] long CustomerCount,
    [property: Id(6)] bool Converged,
    [property: Id(7)] int Iterations);

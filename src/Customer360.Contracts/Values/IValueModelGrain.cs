using Customer360.Domain.Values;
using Customer360.Domain.Values.Models;
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
    [property: Id(4)] bool Fitting,
    [property: Id(5)] RescoringSweepStatus? Sweep = null,
    [property: Id(6)] DateTimeOffset? NextFitAt = null);

/// <summary>
/// The re-scoring sweep: after a new model, and each new day, every customer is rescored with
/// the current model as of that day, in customer-id order, at a bounded rate. Its cursor is
/// stored, so a sweep resumes where it was after a restart.
/// </summary>
/// <param name="ModelVersion">The model customers are being rescored with.</param>
/// <param name="Day">The day customers are being rescored as of (UTC).</param>
/// <param name="Customers">Customers with a log when the sweep started.</param>
/// <param name="Visited">Customers the sweep has reached so far.</param>
/// <param name="Rescored">Of those, the ones whose score was recomputed (the others were current already).</param>
/// <param name="Cursor">The last customer id reached; the sweep goes on after it.</param>
/// <param name="CompletedAt">When every customer had been reached; null while the sweep runs.</param>
/// <param name="LastError">Why the sweep last stopped short, if it did; it is retried shortly.</param>
[GenerateSerializer, Alias("c360.RescoringSweepStatus"), Immutable]
public sealed record RescoringSweepStatus(
    [property: Id(0)] long ModelVersion,
    [property: Id(1)] DateOnly Day,
    [property: Id(2)] DateTimeOffset StartedAt,
    [property: Id(3)] long Customers,
    [property: Id(4)] long Visited,
    [property: Id(5)] long Rescored,
    [property: Id(6)] string? Cursor,
    [property: Id(7)] DateTimeOffset? CompletedAt,
    [property: Id(8)] string? LastError = null)
{
    public bool Completed => CompletedAt is not null;

    /// <summary>Of <see cref="Rescored"/>, the customers rescored from their stored value summary without being woken.</summary>
    [Id(9)] public long RescoredWithoutActivation { get; init; }

    /// <summary>Customers passed over because they failed or did not answer in time; once completed, those that failed again too.</summary>
    [Id(10)] public long NotReached { get; init; }
}

/// <summary>The model a fit made with its report, or why it failed.</summary>
[GenerateSerializer, Alias("c360.ValueModelFitOutcome"), Immutable]
public sealed record ValueModelFitOutcome(
    [property: Id(0)] ValueModelFitReport? Report,
    [property: Id(1)] string? FailureReason,
    [property: Id(2)] ValueModel? Model = null);

/// <summary>
/// What a successful fit produced and how well it fitted. <paramref name="Duration"/> is the
/// fitting itself; <paramref name="ReadDuration"/> the reading of every customer's purchase
/// history from the store before it (zero in reports stored by earlier versions).
/// </summary>
[GenerateSerializer, Alias("c360.ValueModelFitReport"), Immutable]
public sealed record ValueModelFitReport(
    [property: Id(0)] long Version,
    [property: Id(1)] DateTimeOffset FittedAt,
    [property: Id(2)] DateTimeOffset CalibrationEnd,
    [property: Id(3)] long Customers,
    [property: Id(4)] ModelFitSummary Purchasing,
    [property: Id(5)] ModelFitSummary Spending,
    [property: Id(6)] TimeSpan Duration,
    [property: Id(7)] TimeSpan ReadDuration = default);

/// <summary>
/// One model's maximum-likelihood fit: parameters by name, standard errors, log-likelihood,
/// customers, convergence, and whether the estimate is a limit of the model
/// (<paramref name="Limit"/>, only Gamma-Gamma has them; the parameters are then the limit's)
/// and why (<paramref name="LimitReason"/>). A limit without any spread has no log-likelihood:
/// it is 0 there.
/// </summary>
[GenerateSerializer, Alias("c360.ModelFitSummary"), Immutable]
public sealed record ModelFitSummary(
    [property: Id(0)] string Model,
    [property: Id(1)] string[] Names,
    [property: Id(2)] double[] Values,
    [property: Id(3)] double[]? StandardErrors,
    [property: Id(4)] double LogLikelihood,
    [property: Id(5)] long CustomerCount,
    [property: Id(6)] bool Converged,
    [property: Id(7)] int Iterations,
    [property: Id(8)] GammaGammaLimit Limit = GammaGammaLimit.None,
    [property: Id(9)] string? LimitReason = null);

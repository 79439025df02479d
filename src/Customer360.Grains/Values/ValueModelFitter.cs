using System.Diagnostics;
using Customer360.Contracts.Values;
using Customer360.Domain.Customers;
using Customer360.Domain.Values;
using Customer360.Domain.Values.Models;
using Customer360.Grains.Configuration;
using Customer360.Grains.Storage;
using Microsoft.Extensions.Options;

namespace Customer360.Grains.Values;

/// <summary>
/// Fits the value models on the whole population, read from the customer log (so no customer
/// grain needs to be active): each customer's purchase days up to the calibration end become
/// (x, t_x, T, m̄) as of that day; BG/NBD is fitted on all of them and Gamma-Gamma on those with
/// a repeat purchase (or, when their spend is flat, a limit of it: see
/// <see cref="GammaGammaModel.Fit"/>); then every customer's CLV under the fitted models gives
/// the tier cut points, and the population's recency, frequency and monetary value the RFM
/// quintiles.
/// </summary>
public sealed class ValueModelFitter(ICustomerStore store, IOptions<Customer360Options> options)
{
    private readonly ValueModelSettings _settings = options.Value.ValueModel;

    /// <summary>The statistics of every customer with a purchase up to <paramref name="calibrationEnd"/>, as of that day.</summary>
    public async Task<PopulationStatistics> CollectAsync(DateTimeOffset calibrationEnd, CancellationToken cancellationToken)
    {
        var referenceDay = DailyActivity.DayOf(calibrationEnd);
        var statistics = new PopulationStatistics();
        await foreach (var (_, days) in store.ReadPurchaseHistoriesAsync(calibrationEnd, cancellationToken))
        {
            statistics.Add(days, referenceDay);
        }

        return statistics;
    }

    /// <summary>
    /// Fits on <paramref name="population"/>; the result's model has version <paramref name="version"/>.
    /// <paramref name="readDuration"/>, how long reading the population took, goes into the report.
    /// </summary>
    public ValueModelFitResult Fit(PopulationStatistics population, DateTimeOffset calibrationEnd, long version, DateTimeOffset now, TimeSpan readDuration = default)
    {
        var started = Stopwatch.GetTimestamp();
        var fitOptions = new ValueModelFitOptions { MinimumCustomers = _settings.MinimumCustomers };
        if (population.Inputs.Count < _settings.MinimumCustomers)
        {
            return ValueModelFitResult.Failed(
                $"too few customers: {population.Inputs.Count} with a purchase up to {calibrationEnd:u}, at least {_settings.MinimumCustomers} needed");
        }

        var purchasing = BgNbdModel.Fit(population.Inputs, fitOptions);
        if (!purchasing.Success)
        {
            return ValueModelFitResult.Failed($"BG/NBD: {purchasing.FailureReason}");
        }

        var spending = GammaGammaModel.Fit(population.Inputs, fitOptions);
        if (!spending.Success)
        {
            return ValueModelFitResult.Failed($"Gamma-Gamma: {spending.FailureReason}");
        }

        var lifetime = _settings.ToLifetimeOptions();
        // Every customer's CLV, for the tier cut points: independent, so spread over the cores.
        var values = new double[population.Inputs.Count];
        Parallel.For(0, values.Length, i =>
        {
            var clv = CustomerLifetimeValue.Estimate(purchasing.Parameters!, spending.Parameters!, population.Inputs[i], lifetime).LifetimeValue;
            values[i] = (double)ValueScorer.ToCents(clv);
        });

        var model = new ValueModel
        {
            Version = version,
            FittedAt = now,
            CalibrationEnd = calibrationEnd,
            Purchasing = purchasing.Parameters!,
            Spending = spending.Parameters!,
            Tiers = PopulationCuts.Tiers(values, _settings.TierShares),
            Rfm = RfmQuintiles.FromPopulation(population.Recency, population.Frequency, population.Monetary),
            Lifetime = lifetime,
        };
        var report = new ValueModelFitReport(
            version,
            now,
            calibrationEnd,
            population.Inputs.Count,
            Summary("BG/NBD", purchasing),
            Summary("Gamma-Gamma", spending),
            Stopwatch.GetElapsedTime(started),
            readDuration);
        return new ValueModelFitResult(model, report, null);
    }

    private static ModelFitSummary Summary<T>(string name, ValueModelFit<T> fit)
        where T : class, IValueModelParameters => new(
        name,
        [.. fit.Parameters!.Names],
        [.. fit.Parameters.Values],
        fit.StandardErrors is null ? null : [.. fit.StandardErrors],
        fit.LogLikelihood ?? 0,
        fit.CustomerCount,
        fit.Converged,
        fit.Iterations,
        fit.Parameters is GammaGammaParameters spending ? spending.Limit : GammaGammaLimit.None,
        fit.LimitReason);
}

/// <summary>A fitted model and its report, or why the fit failed.</summary>
public sealed record ValueModelFitResult(ValueModel? Model, ValueModelFitReport? Report, string? FailureReason)
{
    public static ValueModelFitResult Failed(string reason) => new(null, null, reason);
}

/// <summary>The population as the fits read it: one entry per customer with a purchase.</summary>
public sealed class PopulationStatistics
{
    public List<CustomerValueInputs> Inputs { get; } = [];

    /// <summary>RFM recency: days from the last purchase to the reference day.</summary>
    public List<double> Recency { get; } = [];

    /// <summary>RFM frequency: purchase occasions.</summary>
    public List<double> Frequency { get; } = [];

    /// <summary>RFM monetary value: mean value of an occasion.</summary>
    public List<double> Monetary { get; } = [];

    /// <summary>Adds one customer from its days in day order; a customer with only returns is left out.</summary>
    public void Add(IReadOnlyList<DailyActivity> days, int referenceDay)
    {
        var occasions = PurchaseOccasions.FromDays(days);
        if (occasions.ToInputs(referenceDay) is not { } inputs)
        {
            return;
        }

        Inputs.Add(inputs);
        var (recency, frequency, monetary) = ValueScorer.RfmFigures(occasions.LastDay!.Value, occasions.OccasionCount, occasions.TotalValue, referenceDay);
        Recency.Add(recency);
        Frequency.Add(frequency);
        Monetary.Add(monetary);
    }
}

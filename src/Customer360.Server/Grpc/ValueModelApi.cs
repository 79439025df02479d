using Customer360.Api.V1;
using Customer360.Contracts.Values;
using Customer360.Grains.Configuration;
using Customer360.Grains.Values;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using D = Customer360.Domain.Values;

namespace Customer360.Server.Grpc;

/// <summary>The public ValueModelService over the value model grain.</summary>
[BindServiceMethod(typeof(ValueModelApi), nameof(BindService))]
public sealed class ValueModelApi(IGrainFactory grains, IOptions<Customer360Options> options, TimeProvider clock, ValueModelBacktester backtester)
    : ValueModelService.ValueModelServiceBase
{
    // Calibration ends this far ahead of the server's clock are taken as clock skew, not as the future.
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private IValueModelGrain Grain => grains.GetGrain<IValueModelGrain>(IValueModelGrain.Key);

    private string Currency => options.Value.ReportingCurrency;

    /// <summary>Binds the service as generated, with requests protobuf cannot parse answered INVALID_ARGUMENT (<see cref="UnparsableRequestBinder"/>).</summary>
    public static void BindService(ServiceBinderBase binder, ValueModelService.ValueModelServiceBase service) =>
        ValueModelService.BindService(new UnparsableRequestBinder(binder), service);

    public override async Task<ValueModel> FitValueModel(FitValueModelRequest request, ServerCallContext context)
    {
        DateTimeOffset? calibrationEnd = null;
        if (request.CalibrationEnd is { } end)
        {
            calibrationEnd = ProtoMapper.ToTime(end, "calibration_end");
            if (calibrationEnd > clock.GetUtcNow() + ClockSkew)
            {
                throw ApiValidation.Invalid("calibration_end", "must not be in the future");
            }
        }

        var outcome = await Grain.FitAsync(calibrationEnd);
        if (outcome is not { Model: { } model, Report: { } report })
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the value model could not be fitted: {outcome.FailureReason}"));
        }

        // The model this fit made, even if another fit has replaced it since.
        return ToProto(model, report, Currency);
    }

    public override async Task<Api.V1.ValueModelStatus> GetValueModel(GetValueModelRequest request, ServerCallContext context)
    {
        var status = await Grain.GetAsync();
        return new Api.V1.ValueModelStatus
        {
            Fitted = status.Model is not null,
            Model = status.Model is { } model && status.Report is { } report ? ToProto(model, report, Currency) : null,
            LastFailure = status.LastFailure ?? string.Empty,
            LastFailureAt = status.LastFailureAt is { } at ? Timestamp.FromDateTimeOffset(at) : null,
            Fitting = status.Fitting,
            Sweep = status.Sweep is { } sweep ? ToProto(sweep) : null,
            NextFitAt = status.NextFitAt is { } next ? Timestamp.FromDateTimeOffset(next) : null,
        };
    }

    private static Api.V1.RescoringSweep ToProto(RescoringSweepStatus sweep) => new()
    {
        ModelVersion = sweep.ModelVersion,
        Day = sweep.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        StartedAt = Timestamp.FromDateTimeOffset(sweep.StartedAt),
        CompletedAt = sweep.CompletedAt is { } completed ? Timestamp.FromDateTimeOffset(completed) : null,
        Customers = sweep.Customers,
        Visited = sweep.Visited,
        Rescored = sweep.Rescored,
        RescoredWithoutActivation = sweep.RescoredWithoutActivation,
        NotReached = sweep.NotReached,
        Cursor = sweep.Cursor ?? string.Empty,
        LastError = sweep.LastError ?? string.Empty,
    };

    public override async Task<BacktestReport> Backtest(BacktestRequest request, ServerCallContext context)
    {
        if (request.CalibrationEnd is null)
        {
            throw ApiValidation.Invalid("calibration_end", "is required");
        }

        var calibrationEnd = ProtoMapper.ToTime(request.CalibrationEnd, "calibration_end");
        if (request.HoldoutWeeks is < 1 or > D.Models.BacktestCohort.MaxHoldoutWeeks)
        {
            throw ApiValidation.Invalid("holdout_weeks", $"must be between 1 and {D.Models.BacktestCohort.MaxHoldoutWeeks} weeks");
        }

        var latest = clock.GetUtcNow() + ClockSkew;
        if (calibrationEnd > latest)
        {
            throw ApiValidation.Invalid("calibration_end", "must not be in the future");
        }

        var holdoutEnd = D.Models.BacktestCohort.HoldoutEnd(calibrationEnd, request.HoldoutWeeks);
        if (holdoutEnd > latest)
        {
            throw ApiValidation.Invalid("holdout_weeks", FormattableString.Invariant(
                $"the holdout would end at {holdoutEnd:u}, which has not come yet, so the log cannot show its purchases; choose fewer weeks or an earlier calibration_end"));
        }

        ValueModelBacktest backtest;
        try
        {
            backtest = await backtester.RunAsync(calibrationEnd, request.HoldoutWeeks, context.CancellationToken);
        }
        catch (BacktestRunningException running)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, running.Message));
        }

        if (backtest is not { Fit: { } fit, Evaluation: { } evaluation })
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"the calibration period could not be fitted: {backtest.FailureReason}"));
        }

        var report = new BacktestReport
        {
            CalibrationEnd = Timestamp.FromDateTimeOffset(backtest.CalibrationEnd),
            HoldoutWeeks = backtest.HoldoutWeeks,
            HoldoutEnd = Timestamp.FromDateTimeOffset(backtest.HoldoutEnd),
            Purchasing = ToProto(fit.Purchasing),
            Spending = ToProto(fit.Spending),
            Customers = evaluation.Customers,
            PredictedPurchases = evaluation.PredictedPurchases,
            ActualPurchases = evaluation.ActualPurchases,
            Correlation = evaluation.Correlation,
            MeanAbsoluteError = evaluation.MeanAbsoluteError,
            BacktestSeconds = backtest.Duration.TotalSeconds,
        };
        for (var w = 0; w < backtest.HoldoutWeeks; w++)
        {
            report.Weeks.Add(new BacktestWeek
            {
                Week = w + 1,
                PredictedCumulative = evaluation.PredictedCumulative[w],
                ActualCumulative = evaluation.ActualCumulative[w],
            });
        }

        return report;
    }

    private static ValueModel ToProto(D.ValueModel model, ValueModelFitReport report, string currency)
    {
        var message = new ValueModel
        {
            Version = model.Version,
            FittedAt = Timestamp.FromDateTimeOffset(model.FittedAt),
            CalibrationEnd = Timestamp.FromDateTimeOffset(model.CalibrationEnd),
            Customers = report.Customers,
            Purchasing = ToProto(report.Purchasing),
            Spending = ToProto(report.Spending),
            Tiers = new TierCutPoints
            {
                Platinum = CutPoint(model.Tiers.Platinum, currency),
                Gold = CutPoint(model.Tiers.Gold, currency),
                Silver = CutPoint(model.Tiers.Silver, currency),
            },
            Rfm = new RfmCutPoints(),
            HorizonMonths = model.Lifetime.HorizonMonths,
            AnnualDiscountRate = model.Lifetime.AnnualDiscountRate,
            FitSeconds = report.Duration.TotalSeconds,
            ReadSeconds = report.ReadDuration.TotalSeconds,
        };
        message.Rfm.RecencyDays.Add(model.Rfm.RecencyCuts);
        message.Rfm.Frequency.Add(model.Rfm.FrequencyCuts);
        message.Rfm.Monetary.Add(model.Rfm.MonetaryCuts);
        return message;
    }

    private static ModelFit ToProto(ModelFitSummary fit)
    {
        var message = new ModelFit
        {
            Model = fit.Model,
            LogLikelihood = fit.LogLikelihood,
            Customers = fit.CustomerCount,
            Converged = fit.Converged,
            Iterations = fit.Iterations,
            Limit = fit.Limit switch
            {
                D.Models.GammaGammaLimit.NoSpreadWithinCustomers => ModelLimit.NoSpreadWithinCustomers,
                D.Models.GammaGammaLimit.NoSpreadBetweenCustomers => ModelLimit.NoSpreadBetweenCustomers,
                D.Models.GammaGammaLimit.NoSpread => ModelLimit.NoSpread,
                _ => ModelLimit.None,
            },
            LimitReason = fit.LimitReason ?? string.Empty,
        };
        for (var i = 0; i < fit.Names.Length; i++)
        {
            message.Parameters.Add(new ModelParameter
            {
                Name = fit.Names[i],
                Value = fit.Values[i],
                StandardError = fit.StandardErrors is { } errors && double.IsFinite(errors[i]) ? errors[i] : 0,
            });
        }

        return message;
    }

    // A tier with a share of 0 starts at decimal.MaxValue: out of reach, shown as absent.
    private static Money? CutPoint(decimal amount, string currency) =>
        amount >= 1e15m ? null : ProtoMapper.Money(amount, currency);
}

using System.Globalization;
using Customer360.Api.V1;
using Customer360.Domain.Values.Models;
using Customer360.Domain.Values.Models.Synthetic;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static Customer360.EndToEnd.Tests.SyntheticCustomers;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// The lifetime-value models through the public API, each test on a server of its own (a fit
/// changes every customer's score, so it must not touch the shared server's customers).
/// </summary>
public sealed class ValueModelApiTests
{
    [Fact]
    public async Task BeforeAFitScoresAreTheLabelledFallbackAndDegeneratePopulationsAreRefusedWithTheReason()
    {
        await using var server = await TestServer.StartAsync();
        var id = NewCustomerId();
        await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 40m)));

        var value = (await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id })).Value;
        Assert.True(value.Fallback);
        Assert.Equal("fallback-net-spend-365d", value.Model);
        Assert.Equal(0, value.ModelVersion);
        Assert.Null(value.Figures);
        Assert.False((await server.ValueModels.GetValueModelAsync(new GetValueModelRequest())).Fitted);

        var tooFew = await Assert.ThrowsAsync<RpcException>(() => server.ValueModels.FitValueModelAsync(new FitValueModelRequest()).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, tooFew.StatusCode);
        Assert.Contains("too few customers", tooFew.Status.Detail);

        // Enough customers, but none came back: nothing identifies purchase rates or dropout.
        for (var i = 0; i < 12; i++)
        {
            await server.Customers.RecordTouchpointAsync(Record(Purchase(NewCustomerId(), 10m + i, DateTimeOffset.UtcNow.AddDays(-i))));
        }

        var noRepeat = await Assert.ThrowsAsync<RpcException>(() => server.ValueModels.FitValueModelAsync(new FitValueModelRequest()).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, noRepeat.StatusCode);
        Assert.Contains("repeat purchase", noRepeat.Status.Detail);

        var status = await server.ValueModels.GetValueModelAsync(new GetValueModelRequest());
        Assert.False(status.Fitted);
        Assert.Contains("repeat purchase", status.LastFailure);
        Assert.True((await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id })).Value.Fallback);
    }

    [Fact]
    public async Task ACalibrationEndInTheFutureIsRefused()
    {
        await using var server = await TestServer.StartAsync();
        var future = new FitValueModelRequest { CalibrationEnd = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(2)) };

        var refused = await Assert.ThrowsAsync<RpcException>(() => server.ValueModels.FitValueModelAsync(future).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("calibration_end", refused.Status.Detail);
    }

    [Fact]
    public async Task AFitOverIngestedCustomersRecoversTheModelAndEveryTouchpointRescoresAtOnce()
    {
        await using var server = await TestServer.StartAsync();
        var customers = SyntheticPopulation.Generate(
            new SyntheticPopulationOptions { Purchasing = TruePurchasing, Spending = TrueSpending, AcquisitionWeeks = 12, ObservationWeeks = 60, Seed = 7 },
            20_000).ToList();
        var prefix = "vm-" + Guid.NewGuid().ToString("N")[..8];
        var end = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddHours(-1);
        var touchpoints = customers
            .SelectMany((c, i) => c.Purchases.Select((p, k) => Purchase(
                $"{prefix}-{i}",
                decimal.Round((decimal)p.Amount, 2) + 0.01m,
                end.AddDays(-(60 - p.Week) * 7),
                eventId: $"{prefix}-{i}-{k}")))
            .ToList();
        await StreamAllAsync(server.Customers, touchpoints);

        var fitted = await server.ValueModels.FitValueModelAsync(new FitValueModelRequest { CalibrationEnd = Timestamp.FromDateTimeOffset(end) });

        Assert.Equal(1, fitted.Version);
        Assert.Equal(customers.Count, fitted.Customers);
        // Both timed by the server: reading 20,000 customers' histories takes measurable time.
        Assert.True(fitted.ReadSeconds > 0, $"read_seconds {fitted.ReadSeconds}");
        Assert.True(fitted.FitSeconds > 0, $"fit_seconds {fitted.FitSeconds}");
        Assert.True(fitted.Purchasing.Converged);
        Assert.True(fitted.Spending.Converged);
        // Times reach the engine rounded to days and amounts to cents, so the recovery is
        // looser than the domain tests' continuous-time one: four standard errors.
        AssertRecovered(fitted.Purchasing, TruePurchasing.Values);
        AssertRecovered(fitted.Spending, TrueSpending.Values);
        Assert.True((await server.ValueModels.GetValueModelAsync(new GetValueModelRequest())).Fitted);

        // A bronze customer who bought twice: the view now carries the model's figures.
        var repeat = Enumerable.Range(0, customers.Count).First(i => customers[i].Purchases.Count == 2);
        var id = $"{prefix}-{repeat}";
        var before = await ViewWithModelAsync(server, id, version: 1);
        Assert.False(before.Value.Fallback);
        Assert.Equal("clv-bgnbd-gg/v1", before.Value.Model);
        Assert.NotNull(before.Value.Figures);
        Assert.InRange(before.Value.Figures.ProbabilityAlive, 0, 1);
        Assert.Equal(before.Value.Score.Amount, before.Value.Figures.LifetimeValue.Amount);
        // Within five cents: the score is money, rounded to the cent, and the inputs the view shows
        // are rounded too. (Rounding both sides to one decimal instead fails whenever they fall
        // either side of a half: 14.6505 against 14.65.)
        Assert.Equal(ExpectedClv(fitted, before.Value.Inputs, Money(before.Value.Inputs.MeanRepeatValue)), (double)Money(before.Value.Score), tolerance: 0.05);
        Assert.InRange(before.Value.Rfm.Recency, 1, 5);

        // Five big purchases on recent days: the CLV rises and the tier with it, on the ack.
        for (var d = 1; d <= 5; d++)
        {
            await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 5000m, DateTimeOffset.UtcNow.AddDays(-d))));
        }

        var after = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.True(Money(after.Value.Score) > Money(before.Value.Score));
        Assert.Equal(ValueTier.Platinum, after.Value.Tier);
        Assert.True(Money(after.Value.Score) >= Money(fitted.Tiers.Platinum));
        Assert.Contains("tier:platinum", after.Segments);

        // And the segment figures follow.
        await WaitForAsync(async () =>
        {
            var platinum = await server.Segments.GetSegmentAsync(new GetSegmentRequest { SegmentId = "tier:platinum", Top = 100 });
            return platinum.TopMembers.Any(m => m.CustomerId == id && m.ValueScore.Amount == after.Value.Score.Amount);
        });
    }

    [Fact]
    public async Task ASubscriptionAtOnePriceGetsAModelWithSpendAtItsLimit()
    {
        // Every order at 9.99, one a day at most: Gamma-Gamma's estimate runs off to the limit
        // without any spread, which the API reports as such; BG/NBD is fitted as usual.
        await using var server = await TestServer.StartAsync();
        var customers = SyntheticPopulation.Generate(
            new SyntheticPopulationOptions { Purchasing = TruePurchasing, Spending = TrueSpending, ObservationWeeks = 40, Seed = 13 }, 400).ToList();
        var prefix = "flat-" + Guid.NewGuid().ToString("N")[..8];
        var end = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddHours(-1);
        await StreamAllAsync(server.Customers, customers
            .SelectMany((c, i) => c.Purchases.Select(p => (int)Math.Floor(p.Week * 7)).Distinct()
                .Select(day => Purchase($"{prefix}-{i}", 9.99m, end.AddDays(day - (40 * 7)), eventId: $"{prefix}-{i}-{day}")))
            .ToList());

        var fitted = await server.ValueModels.FitValueModelAsync(new FitValueModelRequest { CalibrationEnd = Timestamp.FromDateTimeOffset(end) });

        Assert.Equal(ModelLimit.None, fitted.Purchasing.Limit);
        Assert.Empty(fitted.Purchasing.LimitReason);
        Assert.Equal(ModelLimit.NoSpread, fitted.Spending.Limit);
        Assert.Contains("no spread at all", fitted.Spending.LimitReason);
        var parameter = Assert.Single(fitted.Spending.Parameters);
        Assert.Equal("mean_spend", parameter.Name);
        Assert.Equal(9.99, parameter.Value, 9);
        var status = await server.ValueModels.GetValueModelAsync(new GetValueModelRequest());
        Assert.True(status.Fitted);
        Assert.Equal(ModelLimit.NoSpread, status.Model.Spending.Limit);

        var view = await ViewWithModelAsync(server, $"{prefix}-0", fitted.Version);
        Assert.False(view.Value.Fallback);
        Assert.Equal(9.99m, Money(view.Value.Figures.ExpectedSpendPerPurchase));
    }

    [Fact]
    public async Task TheModelIsRefittedOnScheduleWithoutBeingAsked()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Customer360:ValueModel:FitInterval"] = "00:00:03",
            ["Customer360:ValueModel:RefreshInterval"] = "00:00:00.250",
        });
        var customers = SyntheticPopulation.Generate(
            new SyntheticPopulationOptions { Purchasing = TruePurchasing, Spending = TrueSpending, ObservationWeeks = 40, Seed = 11 }, 400).ToList();
        var prefix = "sched-" + Guid.NewGuid().ToString("N")[..8];
        var end = DateTimeOffset.UtcNow.AddDays(-1);
        await StreamAllAsync(server.Customers, customers
            .SelectMany((c, i) => c.Purchases.Select((p, k) => Purchase($"{prefix}-{i}", decimal.Round((decimal)p.Amount, 2) + 0.01m, end.AddDays(-(40 - p.Week) * 7), eventId: $"{prefix}-{i}-{k}")))
            .ToList());

        await WaitForAsync(async () => (await server.ValueModels.GetValueModelAsync(new GetValueModelRequest())).Fitted);

        var status = await server.ValueModels.GetValueModelAsync(new GetValueModelRequest());
        Assert.Equal(customers.Count, status.Model.Customers);
        var view = await ViewWithModelAsync(server, $"{prefix}-0", status.Model.Version);
        Assert.False(view.Value.Fallback);
    }

    private static void AssertRecovered(ModelFit fit, IReadOnlyList<double> truth)
    {
        for (var i = 0; i < truth.Count; i++)
        {
            var p = fit.Parameters[i];
            Assert.True(p.StandardError > 0, $"{p.Name} has no standard error");
            Assert.True(Math.Abs(p.Value - truth[i]) <= 4 * p.StandardError, $"{p.Name} = {p.Value} ± {p.StandardError}, true {truth[i]}");
        }
    }

    private static double ExpectedClv(ValueModel model, ValueModelInputs inputs, decimal meanRepeatValue)
    {
        var p = model.Purchasing.Parameters;
        var s = model.Spending.Parameters;
        var estimate = CustomerLifetimeValue.Estimate(
            new BgNbdParameters(p[0].Value, p[1].Value, p[2].Value, p[3].Value),
            new GammaGammaParameters(s[0].Value, s[1].Value, s[2].Value),
            new CustomerValueInputs(inputs.RepeatPurchases, inputs.WeeksToLastRepeat, inputs.WeeksSinceFirstPurchase, (double)meanRepeatValue),
            new CustomerLifetimeValueOptions { HorizonMonths = model.HorizonMonths, AnnualDiscountRate = model.AnnualDiscountRate });
        return estimate.LifetimeValue;
    }

    private static async Task<CustomerView> ViewWithModelAsync(TestServer server, string id, long version)
    {
        // Customers scored before the fit are rescored by the sweep that follows it.
        CustomerView? view = null;
        await WaitForAsync(async () =>
        {
            view = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
            return view.Value.ModelVersion >= version;
        });
        return view!;
    }
}

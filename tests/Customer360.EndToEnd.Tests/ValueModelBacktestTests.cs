using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Customer360.Api.V1;
using Customer360.Grains.Values;
using Customer360.Domain.Values.Models;
using Customer360.Domain.Values.Models.Synthetic;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Backtests through the public API and the command line, each test on a server of its own:
/// the population is known, so its holdout can be counted here independently of the engine.
/// </summary>
public sealed class ValueModelBacktestTests
{
    private static readonly BgNbdParameters TruePurchasing = new(0.5, 6.0, 0.8, 2.5);
    private static readonly GammaGammaParameters TrueSpending = new(6.0, 4.0, 15.0);

    private const int CalibrationWeeks = 40;
    private const int HoldoutWeeks = 26;

    [Fact]
    public async Task ABacktestOnAKnownPopulationPredictsItsHoldoutAndLeavesTheCurrentModelAlone()
    {
        await using var server = await TestServer.StartAsync();
        var customers = SyntheticPopulation.Generate(
            new SyntheticPopulationOptions
            {
                Purchasing = TruePurchasing,
                Spending = TrueSpending,
                AcquisitionWeeks = 12,
                ObservationWeeks = CalibrationWeeks + HoldoutWeeks,
                Seed = 21,
            },
            3000).ToList();

        // Week w of the synthetic calendar is w weeks after the start; the holdout's last day is
        // yesterday, so the whole holdout is in the past.
        var start = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-7 * (CalibrationWeeks + HoldoutWeeks));
        var calibrationEnd = start.AddDays(7 * CalibrationWeeks).AddSeconds(-1);
        var prefix = "bt-" + Guid.NewGuid().ToString("N")[..8];
        await StreamAllAsync(server, [.. customers.SelectMany((c, i) => c.Purchases.Select((p, k) => Purchase(
            $"{prefix}-{i}", decimal.Round((decimal)p.Amount, 2) + 0.01m, start.AddDays(p.Week * 7), eventId: $"{prefix}-{i}-{k}")))]);
        var (cohort, actualByWeek) = CountHoldout(customers, start, calibrationEnd);

        var report = await server.ValueModels.BacktestAsync(new BacktestRequest
        {
            CalibrationEnd = Timestamp.FromDateTimeOffset(calibrationEnd),
            HoldoutWeeks = HoldoutWeeks,
        });

        Assert.Equal(cohort, report.Customers);
        Assert.Equal(Timestamp.FromDateTimeOffset(calibrationEnd), report.CalibrationEnd);
        Assert.Equal(Timestamp.FromDateTimeOffset(start.AddDays(7 * (CalibrationWeeks + HoldoutWeeks)).AddTicks(-1)), report.HoldoutEnd);
        Assert.True(report.Purchasing.Converged);
        Assert.Equal(["r", "alpha", "a", "b"], report.Purchasing.Parameters.Select(p => p.Name));
        Assert.Equal(["p", "q", "gamma"], report.Spending.Parameters.Select(p => p.Name));

        // The actuals are exactly the population's purchase days in the holdout, week by week.
        Assert.Equal(Enumerable.Range(1, HoldoutWeeks), report.Weeks.Select(w => w.Week));
        Assert.Equal(Cumulative(actualByWeek), report.Weeks.Select(w => w.ActualCumulative));
        Assert.Equal(actualByWeek.Sum(), report.ActualPurchases);

        // Both series rise and end at the totals.
        for (var w = 1; w < HoldoutWeeks; w++)
        {
            Assert.True(report.Weeks[w].PredictedCumulative > report.Weeks[w - 1].PredictedCumulative, $"predicted falls in week {w + 1}");
            Assert.True(report.Weeks[w].ActualCumulative >= report.Weeks[w - 1].ActualCumulative, $"actual falls in week {w + 1}");
        }

        Assert.Equal(report.PredictedPurchases, report.Weeks[^1].PredictedCumulative);
        Assert.Equal(report.ActualPurchases, report.Weeks[^1].ActualCumulative);

        // The population follows the model, so the prediction is unbiased; what separates it from
        // the actual total is the holdout's own randomness (purchase counts are overdispersed)
        // and the error of the fitted parameters. Over 40 populations drawn like this one, in
        // continuous time, the relative error of the total had a standard deviation of 4.2% (3.2%
        // with the true parameters) and never exceeded 10.3%; days merging purchases add a
        // little. 15% is over three standard deviations. (The actuals were checked exactly above.)
        var relative = Math.Abs(report.PredictedPurchases - report.ActualPurchases) / report.ActualPurchases;
        Assert.True(relative < 0.15, $"predicted {report.PredictedPurchases:F1}, actual {report.ActualPurchases}");
        Assert.True(report.Correlation > 0.4, $"correlation {report.Correlation}");
        // Most customers buy nothing in the holdout and a few buy often, so the error per
        // customer is of the order of the mean purchases per customer.
        Assert.InRange(report.MeanAbsoluteError, 0.01, 2.0 * report.ActualPurchases / report.Customers);

        // A backtest changes nothing: there is still no current model, no failure, and
        // customers keep the fallback score.
        var status = await server.ValueModels.GetValueModelAsync(new GetValueModelRequest());
        Assert.False(status.Fitted);
        Assert.Equal(string.Empty, status.LastFailure);
        var customer = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = $"{prefix}-0" });
        Assert.True(customer.Value.Fallback);

        // The command line gives the same report and draws the tracking chart.
        var chart = Path.Combine(server.DataPath, "tracking.svg");
        var (exitCode, output, error) = await CliProcess.RunAsync(
            "model", "backtest", "--calibration-end", calibrationEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--holdout-weeks", HoldoutWeeks.ToString(CultureInfo.InvariantCulture),
            "--chart", chart, "--server", server.Address.ToString(), "--json");
        Assert.True(exitCode == 0, $"c360 exited with {exitCode}: {error}\n{output}");
        using var json = JsonDocument.Parse(output);
        Assert.Equal(report.ActualPurchases.ToString(CultureInfo.InvariantCulture), json.RootElement.GetProperty("actualPurchases").GetString());
        Assert.Equal(report.PredictedPurchases, json.RootElement.GetProperty("predictedPurchases").GetDouble(), 6);
        var texts = XDocument.Load(chart).Descendants(XName.Get("text", "http://www.w3.org/2000/svg")).Select(t => t.Value.Trim()).ToList();
        Assert.Contains("Actual", texts);
        Assert.Contains("Predicted (BG/NBD)", texts);

        // And for people: tables, and the chart as a PNG.
        var png = Path.Combine(server.DataPath, "tracking.png");
        (exitCode, output, error) = await CliProcess.RunAsync(
            "model", "backtest", "--calibration-end", calibrationEnd.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--holdout-weeks", HoldoutWeeks.ToString(CultureInfo.InvariantCulture),
            "--chart", png, "--server", server.Address.ToString());
        Assert.True(exitCode == 0, $"c360 exited with {exitCode}: {error}\n{output}");
        Assert.Contains("Cumulative repeat purchases", output);
        Assert.Contains(report.ActualPurchases.ToString("N0", CultureInfo.InvariantCulture), output);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
        Assert.False((await server.ValueModels.GetValueModelAsync(new GetValueModelRequest())).Fitted);
    }

    [Fact]
    public async Task BadBacktestRequestsAreRefusedNamingTheField()
    {
        await using var server = await TestServer.StartAsync();
        var now = DateTimeOffset.UtcNow;
        var past = Timestamp.FromDateTimeOffset(now.AddDays(-100));

        await AssertInvalidAsync(server, new BacktestRequest { HoldoutWeeks = 4 }, "calibration_end");
        await AssertInvalidAsync(server, new BacktestRequest { CalibrationEnd = new Timestamp { Seconds = past.Seconds, Nanos = -1 }, HoldoutWeeks = 4 }, "calibration_end");
        await AssertInvalidAsync(server, new BacktestRequest { CalibrationEnd = new Timestamp { Seconds = -62135596801 }, HoldoutWeeks = 4 }, "calibration_end");
        await AssertInvalidAsync(server, new BacktestRequest { CalibrationEnd = past }, "holdout_weeks");
        await AssertInvalidAsync(server, new BacktestRequest { CalibrationEnd = past, HoldoutWeeks = -2 }, "holdout_weeks");
        await AssertInvalidAsync(server, new BacktestRequest { CalibrationEnd = past, HoldoutWeeks = 521 }, "holdout_weeks");
        await AssertInvalidAsync(server, new BacktestRequest { CalibrationEnd = Timestamp.FromDateTimeOffset(now.AddDays(1)), HoldoutWeeks = 1 }, "calibration_end");

        // The holdout would end after today: the log cannot show those purchases yet.
        var unfinished = await AssertInvalidAsync(server, new BacktestRequest { CalibrationEnd = Timestamp.FromDateTimeOffset(now.AddDays(-3)), HoldoutWeeks = 1 }, "holdout_weeks");
        Assert.Contains("calibration_end", unfinished.Status.Detail);
        await AssertInvalidAsync(server, new BacktestRequest { CalibrationEnd = past, HoldoutWeeks = 15 }, "holdout_weeks");
    }

    [Fact]
    public async Task ACalibrationPeriodThatCannotBeFittedIsAFailedPreconditionWithTheFitsReason()
    {
        await using var server = await TestServer.StartAsync();
        var calibrationEnd = DateTimeOffset.UtcNow.AddDays(-30);
        var request = new BacktestRequest { CalibrationEnd = Timestamp.FromDateTimeOffset(calibrationEnd), HoldoutWeeks = 2 };

        var empty = await Assert.ThrowsAsync<RpcException>(() => server.ValueModels.BacktestAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, empty.StatusCode);
        Assert.Contains("too few customers", empty.Status.Detail);

        // Enough customers, but none came back before the calibration end; their purchases in
        // the holdout do not count for the fit.
        for (var i = 0; i < 12; i++)
        {
            var id = NewCustomerId("bt");
            await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 10m + i, calibrationEnd.AddDays(-20 - i))));
            await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 10m + i, calibrationEnd.AddDays(3))));
        }

        var noRepeat = await Assert.ThrowsAsync<RpcException>(() => server.ValueModels.BacktestAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, noRepeat.StatusCode);
        Assert.Contains("repeat purchase", noRepeat.Status.Detail);

        // A failed backtest is not a failed fit of the current model.
        Assert.Equal(string.Empty, (await server.ValueModels.GetValueModelAsync(new GetValueModelRequest())).LastFailure);
    }

    [Fact]
    public async Task ABacktestAskedForWhileAnotherRunsIsRefusedAndTheNextOneRuns()
    {
        await using var server = await TestServer.StartAsync();
        var request = new BacktestRequest { CalibrationEnd = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-30)), HoldoutWeeks = 2 };
        var slot = server.Services.GetRequiredService<BacktestSlot>();

        // Another backtest holds the server's one slot.
        Assert.True(slot.TryTake());
        var refused = await Assert.ThrowsAsync<RpcException>(() => server.ValueModels.BacktestAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("a backtest is already running on this server", refused.Status.Detail, StringComparison.Ordinal);

        // Once it has ended, a backtest runs (and fails here only for want of customers), and
        // gives the slot back when it ends, failed or not.
        slot.Release();
        var ran = await Assert.ThrowsAsync<RpcException>(() => server.ValueModels.BacktestAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, ran.StatusCode);
        Assert.True(slot.TryTake(), "the backtest kept the slot after it ended");
        slot.Release();
    }

    /// <summary>
    /// The cohort (customers with a purchase day on or before the calibration day) and its
    /// purchase days in each holdout week, counted from the synthetic purchases.
    /// </summary>
    private static (int Cohort, long[] ActualByWeek) CountHoldout(IEnumerable<SyntheticCustomer> customers, DateTimeOffset start, DateTimeOffset calibrationEnd)
    {
        static int Day(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime).DayNumber;
        var calibrationDay = Day(calibrationEnd);
        var cohort = 0;
        var byWeek = new long[HoldoutWeeks];
        foreach (var customer in customers)
        {
            var days = customer.Purchases.Select(p => Day(start.AddDays(p.Week * 7))).Distinct().ToList();
            if (!days.Any(d => d <= calibrationDay))
            {
                continue;
            }

            cohort++;
            foreach (var day in days.Where(d => d > calibrationDay && d <= calibrationDay + (7 * HoldoutWeeks)))
            {
                byWeek[(day - calibrationDay - 1) / 7]++;
            }
        }

        return (cohort, byWeek);
    }

    private static IEnumerable<long> Cumulative(IEnumerable<long> values)
    {
        long total = 0;
        foreach (var value in values)
        {
            yield return total += value;
        }
    }

    private static async Task<RpcException> AssertInvalidAsync(TestServer server, BacktestRequest request, string field)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => server.ValueModels.BacktestAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith(field + ":", refused.Status.Detail);
        return refused;
    }

    private static async Task StreamAllAsync(TestServer server, IReadOnlyList<Api.V1.Touchpoint> touchpoints)
    {
        using var call = server.Customers.StreamTouchpoints();
        var reading = Task.Run(async () => await call.ResponseStream.ReadAllAsync().ToListAsync());
        foreach (var touchpoint in touchpoints)
        {
            await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = touchpoint });
        }

        await call.RequestStream.CompleteAsync();
        var acks = await reading;
        Assert.Equal(touchpoints.Count, acks.Count(a => a.Status == AckStatus.Accepted));
    }
}

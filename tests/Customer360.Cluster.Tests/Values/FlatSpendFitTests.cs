using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Customers;
using Customer360.Contracts.Values;
using Customer360.Domain.Customers;
using Customer360.Domain.Values;
using Customer360.Domain.Values.Models;
using Customer360.Domain.Values.Models.Synthetic;
using Customer360.Grains.Values;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.TestingHost;
using static Customer360.Cluster.Tests.Infrastructure.Touchpoints;

namespace Customer360.Cluster.Tests.Values;

/// <summary>
/// A business whose spend is flat, a subscription at one price or fixed plans, fitted through
/// the value model grain as the schedule and the API fit it: BG/NBD is fitted as usual and
/// Gamma-Gamma at its limit, the model is published (stored, returned by the grain, used to
/// score customers), and a backtest of the same log works with it. Before the limits such a
/// fit failed and every customer kept the fallback score. Each test runs on a cluster of its
/// own, as a fit reads every customer of the service.
/// </summary>
public sealed class FlatSpendFitTests
{
    private const int ObservationWeeks = 52;

    private static readonly BgNbdParameters Purchasing = new(0.5, 6.0, 0.8, 2.5);

    public static TheoryData<string, GammaGammaLimit> Businesses => new()
    {
        { "subscription", GammaGammaLimit.NoSpread },
        { "plans", GammaGammaLimit.NoSpreadWithinCustomers },
    };

    [Theory]
    [MemberData(nameof(Businesses))]
    public async Task AFlatSpendPopulationGetsAPublishedModelThatScoresCustomers(string business, GammaGammaLimit limit)
    {
        var cluster = await ClusterFixture.DeployAsync<SiloConfigurator>(silos: 1);
        try
        {
            var start = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-7 * ObservationWeeks);
            var ids = await RecordAsync(cluster, business, start);
            var model = cluster.Client.GetGrain<IValueModelGrain>(IValueModelGrain.Key);

            var outcome = await model.FitAsync(start.AddDays(7 * ObservationWeeks).AddHours(-1));

            Assert.True(outcome.Model is not null, outcome.FailureReason);
            Assert.Equal(GammaGammaLimit.None, outcome.Report!.Purchasing.Limit);
            Assert.True(outcome.Report.Purchasing.Converged);
            Assert.Equal(limit, outcome.Model.Spending.Limit);
            Assert.Equal(limit, outcome.Report.Spending.Limit);
            Assert.Equal([.. outcome.Model.Spending.Names], outcome.Report.Spending.Names);
            Assert.Contains("no spread", outcome.Report.Spending.LimitReason);

            // Published: the grain's status carries the model and the limit's reason.
            var status = await model.GetAsync();
            Assert.Equal(outcome.Model.Version, status.Model!.Version);
            Assert.Equal(outcome.Model.Spending, status.Model.Spending);
            Assert.Equal(outcome.Model.Purchasing, status.Model.Purchasing);
            Assert.Equal(outcome.Report.Spending.LimitReason, status.Report!.Spending.LimitReason);
            Assert.Null(status.LastFailure);

            // And customers are scored with it: a repeat customer is expected to spend their own
            // price, under either limit, and their CLV is a positive figure, not the fallback.
            var repeat = ids.First(c => c.Repeats > 0);
            var view = await Eventually.PollAsync(
                () => cluster.Client.GetGrain<ICustomerGrain>(CustomerKeys.ToGrainKey(repeat.Id)).GetViewAsync(),
                v => v?.Value?.ModelVersion == outcome.Model.Version);
            var value = view!.Value!;
            Assert.Equal(outcome.Model.Name, value.Model);
            Assert.Equal((double)repeat.Price, value.Estimate!.ExpectedAverageSpend, 9);
            Assert.True(value.Estimate.LifetimeValue > 0 && double.IsFinite(value.Estimate.LifetimeValue), $"CLV {value.Estimate.LifetimeValue}");

            // A backtest of the same log fits the same limit and evaluates BG/NBD as usual.
            var backtester = ((InProcessSiloHandle)cluster.Primary!).SiloHost.Services.GetRequiredService<ValueModelBacktester>();
            var backtest = await backtester.RunAsync(start.AddDays(7 * 30), 20, CancellationToken.None);
            Assert.True(backtest.Fit is not null, backtest.FailureReason);
            Assert.Equal(limit, backtest.Fit.Spending.Limit);
            Assert.True(backtest.Evaluation!.PredictedPurchases > 0);
        }
        finally
        {
            await ClusterFixture.StopAsync(cluster);
        }
    }

    [Fact]
    public async Task ALimitModelTravelsAndIsStoredAsItWas()
    {
        var cluster = await ClusterFixture.DeployAsync<SiloConfigurator>(silos: 1);
        try
        {
            var serializer = cluster.Client.ServiceProvider.GetRequiredService<Serializer>();
            GammaGammaParameters[] spendings =
            [
                new(6.25, 3.74, 15.44),
                GammaGammaParameters.WithoutSpreadWithinCustomers(4.8, 62.5),
                GammaGammaParameters.WithoutSpreadBetweenCustomers(6.3, 0.316),
                GammaGammaParameters.WithoutSpread(9.99),
            ];

            foreach (var spending in spendings)
            {
                var model = new ValueModel
                {
                    Version = 4,
                    FittedAt = DateTimeOffset.UnixEpoch,
                    CalibrationEnd = DateTimeOffset.UnixEpoch,
                    Purchasing = Purchasing,
                    Spending = spending,
                    Tiers = new TierThresholds { Platinum = 300m, Gold = 100m, Silver = 30m },
                    Rfm = new RfmQuintiles([1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]),
                };

                var copy = serializer.Deserialize<ValueModel>(serializer.SerializeToArray(model));

                Assert.Equal(spending, copy!.Spending);
                Assert.Equal(spending.Limit, copy.Spending.Limit);
            }
        }
        finally
        {
            await ClusterFixture.StopAsync(cluster);
        }
    }

    /// <summary>
    /// Records customers drawn from BG/NBD, each purchase on a day of its own (same-day purchases
    /// would merge into one occasion worth their sum) and worth the customer's price: 9.99 for
    /// everyone, or a plan of 9.99, 19.99 or 49.99.
    /// </summary>
    private static async Task<List<(string Id, decimal Price, int Repeats)>> RecordAsync(TestCluster cluster, string business, DateTimeOffset start)
    {
        decimal[] plans = [9.99m, 19.99m, 49.99m];
        var customers = SyntheticPopulation.Generate(
            new SyntheticPopulationOptions { Purchasing = Purchasing, Spending = new GammaGammaParameters(6.0, 4.0, 15.0), ObservationWeeks = ObservationWeeks, Seed = 31 },
            400).ToList();
        var recorded = new List<(string Id, decimal Price, int Repeats)>();
        var work = new List<Task>();
        for (var i = 0; i < customers.Count; i++)
        {
            var id = TestIds.NewCustomerId($"{business}-{i}");
            var price = business == "plans" ? plans[(i * 7919 % 10) switch { < 6 => 0, < 9 => 1, _ => 2 }] : 9.99m;
            var days = customers[i].Purchases.Select(p => (int)Math.Floor(p.Week * 7)).Distinct().ToList();
            recorded.Add((id, price, days.Count - 1));
            var grain = cluster.Client.GetGrain<ICustomerGrain>(CustomerKeys.ToGrainKey(id));
            work.Add(Task.Run(async () =>
            {
                foreach (var day in days)
                {
                    await grain.RecordTouchpointAsync(Purchase(id, $"{id}-{day}", start.AddDays(day).AddHours(12), price));
                }
            }));
        }

        await Task.WhenAll(work);
        return recorded;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddCustomer360OnMemory();
    }
}

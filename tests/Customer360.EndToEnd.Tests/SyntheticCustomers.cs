using System.Globalization;
using Customer360.Api.V1;
using Customer360.Domain.Values.Models;
using Customer360.Domain.Values.Models.Synthetic;
using Grpc.Core;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Customers drawn from the BG/NBD and Gamma-Gamma generative processes, as purchase
/// touchpoints, and the waits the value-model tests share.
/// </summary>
internal static class SyntheticCustomers
{
    public static readonly BgNbdParameters TruePurchasing = new(0.5, 6.0, 0.8, 2.5);
    public static readonly GammaGammaParameters TrueSpending = new(6.0, 4.0, 15.0);

    /// <summary>
    /// <paramref name="count"/> customers observed for <paramref name="observationWeeks"/> weeks
    /// up to <paramref name="end"/>, ids "<paramref name="prefix"/>-i", with deterministic event ids.
    /// </summary>
    public static List<Api.V1.Touchpoint> Purchases(string prefix, int count, DateTimeOffset end, int observationWeeks, int seed, double acquisitionWeeks = 12)
    {
        var options = new SyntheticPopulationOptions
        {
            Purchasing = TruePurchasing,
            Spending = TrueSpending,
            AcquisitionWeeks = acquisitionWeeks,
            ObservationWeeks = observationWeeks,
            Seed = seed,
        };
        return SyntheticPopulation.Generate(options, count)
            .SelectMany((c, i) => c.Purchases.Select((p, k) => Purchase(
                $"{prefix}-{i}",
                decimal.Round((decimal)p.Amount, 2) + 0.01m,
                end.AddDays(-(observationWeeks - p.Week) * 7),
                eventId: $"{prefix}-{i}-{k}")))
            .ToList();
    }

    /// <summary>Streams every touchpoint through one StreamTouchpoints call and checks each was accepted.</summary>
    public static async Task StreamAllAsync(CustomerService.CustomerServiceClient customers, IReadOnlyList<Api.V1.Touchpoint> touchpoints)
    {
        using var call = customers.StreamTouchpoints();
        var reading = Task.Run(async () => await call.ResponseStream.ReadAllAsync().ToListAsync());
        foreach (var touchpoint in touchpoints)
        {
            await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = touchpoint });
        }

        await call.RequestStream.CompleteAsync();
        var acks = await reading;
        Assert.Equal(touchpoints.Count, acks.Count(a => a.Status == AckStatus.Accepted));
    }

    public static async Task WaitForAsync(Func<Task<bool>> condition, int seconds = 30, Func<string?>? explain = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"the condition was not met within {seconds} s: {explain?.Invoke()}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the re-scoring sweep for model <paramref name="version"/> has reached every customer.</summary>
    public static async Task<RescoringSweep> SweptAsync(ValueModelService.ValueModelServiceClient models, long version, int seconds = 60)
    {
        RescoringSweep? sweep = null;
        await WaitForAsync(
            async () =>
            {
                sweep = (await models.GetValueModelAsync(new GetValueModelRequest())).Sweep;
                return sweep is { CompletedAt: not null } && sweep.ModelVersion == version;
            },
            seconds);
        return sweep!;
    }

    public static decimal Money(Api.V1.Money m) => decimal.Parse(m.Amount, CultureInfo.InvariantCulture);
}

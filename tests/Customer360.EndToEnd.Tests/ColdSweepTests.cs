using System.Globalization;
using Customer360.Api.V1;
using Customer360.Grains.Customers;
using Customer360.Grains.Segments;
using Microsoft.Extensions.DependencyInjection;
using static Customer360.EndToEnd.Tests.SyntheticCustomers;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// After a restart no customer is in memory. The re-scoring sweep then rescores them from the
/// value summaries stored with their snapshots, without waking them, and they, their views and
/// the segment figures all agree afterwards. Each test runs on a service of its own.
/// </summary>
public sealed class ColdSweepTests
{
    private const int CustomerCount = 200;

    private static readonly string[] Tiers = ["platinum", "gold", "silver", "bronze"];

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task CustomersNotInMemoryAreRescoredWithoutWakingThemAndAgreeWithTheirViewsAndSegments(string provider)
    {
        var (settings, dataPath) = await SettingsAsync(provider);
        var prefix = "cold-" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, CustomerCount).Select(i => $"{prefix}-{i}").ToArray();
        await using (var first = await TestServer.StartAsync(dataPath, settings))
        {
            await StreamAllAsync(first.Customers, Purchases(prefix, CustomerCount, DateTimeOffset.UtcNow.AddDays(-1), observationWeeks: 40, seed: 31));
        }

        // Restarted: every customer is in the store only, its snapshot written as it was deactivated.
        await using var server = await TestServer.StartAsync(dataPath, settings);
        Assert.Equal(1, (await server.ValueModels.FitValueModelAsync(new FitValueModelRequest())).Version);
        var sweep = await SweptAsync(server.ValueModels, version: 1);

        Assert.Equal(CustomerCount, sweep.Visited);
        Assert.Equal(CustomerCount, sweep.Rescored);
        Assert.Equal(CustomerCount, sweep.RescoredWithoutActivation);
        var held = server.Services.GetRequiredService<ActiveCustomers>();
        Assert.DoesNotContain(ids, held.Contains);

        // What the sweep reported, delivered, before any customer is woken: an activation
        // re-states the same figures at the same order, which segments would ignore.
        Assert.True(await server.Services.GetRequiredService<SegmentUpdateBuffer>().FlushAsync());
        var segments = await TierFiguresAsync(server);

        var views = await ViewsAsync(server, ids);
        Assert.All(views, v => Assert.Equal(1, v.Value.ModelVersion));
        Assert.All(views, v => Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow), DateOnly.FromDateTime(v.Value.ComputedAt.ToDateTime())));
        Assert.Equal(Expected(views), segments);
    }

    [Fact]
    public async Task CustomersBuyingWhileTheSweepRunsEndWithTheirViewsAndSegmentsInAgreement()
    {
        var (settings, dataPath) = await SettingsAsync(TestStores.Sqlite);
        // About four seconds for the sweep, a page of five at a time.
        settings["Customer360:ValueModel:SweepRate"] = "50";
        settings["Customer360:ValueModel:SweepPageSize"] = "5";
        var prefix = "race-" + Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, CustomerCount).Select(i => $"{prefix}-{i}").ToArray();
        await using (var first = await TestServer.StartAsync(dataPath, settings))
        {
            await StreamAllAsync(first.Customers, Purchases(prefix, CustomerCount, DateTimeOffset.UtcNow.AddDays(-1), observationWeeks: 40, seed: 32));
        }

        await using var server = await TestServer.StartAsync(dataPath, settings);
        Assert.Equal(1, (await server.ValueModels.FitValueModelAsync(new FitValueModelRequest())).Version);

        // Every seventh customer buys while the sweep runs, some before the sweep reaches them
        // and some after, each woken by its purchase; a few buy twice.
        var buyers = ids.Where((_, i) => i % 7 == 3).ToArray();
        var buying = buyers.Select(async (id, k) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(40 * k));
            var ack = await server.Customers.RecordTouchpointAsync(new RecordTouchpointRequest { Touchpoint = Touchpoints.Purchase(id, 500m + k) });
            Assert.Equal(AckStatus.Accepted, ack.Status);
            if (k % 3 == 0)
            {
                await server.Customers.RecordTouchpointAsync(new RecordTouchpointRequest { Touchpoint = Touchpoints.Purchase(id, 20m) });
            }
        });
        await Task.WhenAll(buying);
        var sweep = await SweptAsync(server.ValueModels, version: 1);

        Assert.Equal(CustomerCount, sweep.Visited);
        Assert.InRange(sweep.RescoredWithoutActivation, 1, CustomerCount - 1);
        Assert.True(await server.Services.GetRequiredService<SegmentUpdateBuffer>().FlushAsync());
        var segments = await TierFiguresAsync(server);

        var views = await ViewsAsync(server, ids);
        Assert.All(views, v => Assert.Equal(1, v.Value.ModelVersion));
        Assert.All(views.Where(v => buyers.Contains(v.CustomerId)), v => Assert.Contains(v.RecentTouchpoints, t => t.SourceSystem == "till-e2e"));
        Assert.Equal(Expected(views), segments);
    }

    private static async Task<(Dictionary<string, string?> Settings, string DataPath)> SettingsAsync(string provider)
    {
        var settings = await TestStores.SettingsAsync(provider, "cold-" + Guid.NewGuid().ToString("N"));
        settings["Customer360:ValueModel:RefreshInterval"] = "00:00:00.250";
        settings["Customer360:ValueModel:SweepRate"] = "0";
        return (settings, TestServer.NewDataPath());
    }

    private static async Task<CustomerView[]> ViewsAsync(TestServer server, IEnumerable<string> ids) =>
        await Task.WhenAll(ids.Select(async id => await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id })));

    /// <summary>Per tier: members, their value total and their net spend total.</summary>
    private static async Task<string[]> TierFiguresAsync(TestServer server) =>
        await Task.WhenAll(Tiers.Select(async tier =>
        {
            var figures = await server.Segments.GetSegmentAsync(new GetSegmentRequest { SegmentId = "tier:" + tier });
            return Line(tier, figures.MemberCount, Money(figures.TotalValueScore), Money(figures.TotalNetSpend));
        }));

    /// <summary><see cref="TierFiguresAsync"/> recomputed from every customer's view.</summary>
    private static string[] Expected(IReadOnlyList<CustomerView> views) =>
    [
        .. Tiers.Select(tier =>
        {
            var members = views.Where(v => v.Value.Tier.ToString().Equals(tier, StringComparison.OrdinalIgnoreCase)).ToArray();
            return Line(tier, members.Length, members.Sum(m => Money(m.Value.Score)), members.Sum(m => Money(m.Aggregates.NetSpend)));
        }),
    ];

    private static string Line(string tier, long members, decimal value, decimal netSpend) =>
        string.Create(CultureInfo.InvariantCulture, $"{tier}: {members} members, value {value:F2}, net spend {netSpend:F2}");
}

using Customer360.Api.V1;
using Microsoft.Extensions.DependencyInjection;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>Two servers form one Orleans cluster through PostgreSQL; each serves gRPC on its own port.</summary>
public sealed class PostgresClusterTests
{
    [Fact]
    public async Task EveryEndpointOfTheClusterSeesTheSameCustomer()
    {
        var settings = await TestStores.SettingsAsync(TestStores.Postgres, "cluster-" + Guid.NewGuid().ToString("N"));
        settings["Customer360:Silo:ClusterId"] = "cluster-" + Guid.NewGuid().ToString("N");
        await using var first = await TestServer.StartAsync(settings: settings);
        await using var second = await TestServer.StartAsync(settings: settings);
        var members = first.Services.GetRequiredService<IClusterMembershipService>();
        await Eventually(() => members.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active) == 2);
        var ids = Enumerable.Range(0, 40).Select(_ => NewCustomerId("cluster")).ToArray();

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await first.Customers.RecordTouchpointAsync(Record(Purchase(ids[0], 1m)), cancellationToken: cts.Token);
        using var watch = second.Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = ids[0] }, cancellationToken: cts.Token);
        Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
        Assert.Equal(1, watch.ResponseStream.Current.Version);
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var via = i % 2 == 0 ? first : second;
            await via.Customers.RecordTouchpointAsync(Record(Purchase(id, 10m + i)), cancellationToken: cts.Token);
        }

        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var fromFirst = await first.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
            var fromSecond = await second.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
            Assert.Equal(fromFirst, fromSecond);
            Assert.Equal(i == 0 ? 2 : 1, fromFirst.Aggregates.OrderCount);
        }

        // A watcher on one endpoint sees touchpoints recorded through the other.
        var versions = new List<long>();
        while (versions.LastOrDefault() < 2 && await watch.ResponseStream.MoveNext(cts.Token))
        {
            versions.Add(watch.ResponseStream.Current.Version);
        }

        Assert.Equal(2, versions[^1]);
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the two silos did not form one cluster");
            await Task.Delay(100);
        }
    }
}

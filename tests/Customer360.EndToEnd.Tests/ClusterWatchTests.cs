using Customer360.Api.V1;
using Customer360.Grains.Customers;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// A watch is served by the server the screen is connected to, while its customer lives on
/// whichever silo of the cluster holds it. When that silo goes, the customer moves to a
/// survivor; a watch through a surviving server goes on, and shows what changes after the move.
/// </summary>
public sealed class ClusterWatchTests
{
    [Fact]
    public async Task AWatchGoesOnWhenItsCustomersSiloDiesAndShowsTheNextChange()
    {
        var serviceId = "watchmove" + Guid.NewGuid().ToString("N");
        var settings = await TestStores.SettingsAsync(TestStores.Postgres, serviceId);
        settings["Customer360:Silo:ClusterId"] = serviceId;
        foreach (var (key, value) in ClusterCrashTests.FastFailureDetection())
        {
            settings[key] = value;
        }

        await using var screenSide = await TestServer.StartAsync(settings: settings);
        await using var other = await ServerProcess.StartAsync(new Dictionary<string, string?>(settings));
        var members = screenSide.Services.GetRequiredService<IClusterMembershipService>();
        await Eventually(() => ActiveSilos(members) == 2, "the two silos did not form one cluster");

        // A customer that lives on the other silo: one the screen's silo does not hold.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var held = screenSide.Services.GetRequiredService<ActiveCustomers>();
        string? id = null;
        for (var i = 0; id is null && i < 200; i++)
        {
            var candidate = NewCustomerId("watchmove");
            await screenSide.Customers.RecordTouchpointAsync(Record(Purchase(candidate, 10m)), cancellationToken: cts.Token);
            if (!held.Contains(candidate))
            {
                id = candidate;
            }
        }

        Assert.NotNull(id);
        using var watch = screenSide.Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = id }, cancellationToken: cts.Token);
        Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
        Assert.Equal(1, watch.ResponseStream.Current.Version);

        other.Kill();
        await Eventually(() => ActiveSilos(members) == 1, "the killed silo was not declared dead");

        // As a till does: the same touchpoint again while the cluster answers UNAVAILABLE.
        var purchase = Purchase(id, 20m);
        TouchpointAck? ack = null;
        while (ack is null)
        {
            try
            {
                ack = await screenSide.Customers.RecordTouchpointAsync(Record(purchase), cancellationToken: cts.Token);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                await Task.Delay(200, cts.Token);
            }
        }

        Assert.Equal(2, ack.CustomerVersion);

        Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
        Assert.Equal(2, watch.ResponseStream.Current.Version);
        Assert.Equal("30.00", watch.ResponseStream.Current.Aggregates.NetSpend.Amount);
    }

    private static int ActiveSilos(IClusterMembershipService members) =>
        members.CurrentSnapshot.Members.Values.Count(m => m.Status == SiloStatus.Active);

    private static async Task Eventually(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(100);
        }
    }
}

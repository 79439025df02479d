using System.Net;
using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Domain.Customers;
using Customer360.Grains.Customers;
using static Customer360.Cluster.Tests.Infrastructure.Touchpoints;

namespace Customer360.Cluster.Tests.Customers;

/// <summary>
/// Each silo answers for the customers it holds in memory, through a grain placed on that silo:
/// what the re-scoring sweep asks before it rescores a customer without waking it.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class ActiveCustomersTests(ClusterFixture fixture)
{
    [Fact]
    public async Task EachSiloNamesTheCustomersItHoldsUntilTheyAreDeactivated()
    {
        string[] ids = [.. Enumerable.Range(0, 12).Select(i => TestIds.NewCustomerId($"held-{i}"))];
        foreach (var id in ids)
        {
            await fixture.Customer(id).RecordTouchpointAsync(Event(id, "v1", DateTimeOffset.UtcNow.AddMinutes(-1), Channel.Web, TouchpointKind.Visit));
        }

        string[] asked = [.. ids, TestIds.NewCustomerId("never-seen")];
        var answers = await AskEverySiloAsync(asked);

        // Each is held by exactly one silo, wherever hash placement put it.
        Assert.Equal(ids.Order(StringComparer.Ordinal), answers.SelectMany(a => a).Order(StringComparer.Ordinal));
        Assert.Equal(fixture.Cluster.Silos.Count, answers.Length);

        await fixture.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var after = await Eventually.PollAsync(() => AskEverySiloAsync(asked), a => a.All(held => held.Length == 0));
        Assert.All(after, held => Assert.Empty(held));
    }

    [Fact]
    public async Task ASiloThatIsNotInTheClusterCannotBeAsked()
    {
        var stranger = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 1), 1);

        await Assert.ThrowsAnyAsync<Exception>(() =>
            fixture.Client.GetGrain<IActiveCustomersGrain>(stranger.ToParsableString()).ActiveAmongAsync(["anyone"], 0));
    }

    private Task<string[][]> AskEverySiloAsync(string[] customerIds) =>
        Task.WhenAll(fixture.Cluster.Silos.Select(silo =>
            fixture.Client.GetGrain<IActiveCustomersGrain>(silo.SiloAddress.ToParsableString()).ActiveAmongAsync(customerIds, 0)));
}

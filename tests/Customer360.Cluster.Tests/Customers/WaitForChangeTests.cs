using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using static Customer360.Cluster.Tests.Infrastructure.Touchpoints;

namespace Customer360.Cluster.Tests.Customers;

[Collection(SharedClusterCollection.Name)]
public sealed class WaitForChangeTests(ClusterFixture fixture)
{
    // Far longer than any change takes to land, and well inside the client's response timeout.
    private static readonly TimeSpan LongWait = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ShortWait = TimeSpan.FromMilliseconds(300);

    // Waits for a new version only; rescores at the same version are covered end to end.
    private const long AnyScore = long.MaxValue;

    [Fact]
    public async Task WatcherReceivesTheViewOfAConcurrentlyRecordedTouchpoint()
    {
        var id = TestIds.NewCustomerId("watch");
        var customer = fixture.Customer(id);
        await customer.RecordTouchpointAsync(Event(id, "v1", DateTimeOffset.UtcNow.AddHours(-2), Channel.Web, TouchpointKind.Visit));

        var watching = customer.WaitForChangeAsync(1, AnyScore, LongWait);
        var recorded = await customer.RecordTouchpointAsync(Purchase(id, "p1", DateTimeOffset.UtcNow.AddHours(-1), 42m, Channel.Email));
        var view = await watching;

        Assert.Equal(2, recorded.CustomerVersion);
        Assert.NotNull(view);
        Assert.Equal(2, view.Version);
        Assert.Equal(42m, view.Aggregates.NetSpend);
        Assert.Equal(["p1", "v1"], view.RecentTouchpoints.Select(t => t.EventId));
    }

    [Fact]
    public async Task WatcherBehindTheCurrentVersionIsAnsweredAtOnce()
    {
        var id = TestIds.NewCustomerId("behind");
        var customer = fixture.Customer(id);
        await customer.RecordTouchpointAsync(Event(id, "v1", DateTimeOffset.UtcNow.AddHours(-2), Channel.Web, TouchpointKind.Visit));
        await customer.RecordTouchpointAsync(Event(id, "v2", DateTimeOffset.UtcNow.AddHours(-1), Channel.Web, TouchpointKind.Visit));

        var view = await customer.WaitForChangeAsync(0, AnyScore, LongWait);

        Assert.Equal(2, view?.Version);
    }

    [Fact]
    public async Task WatcherGetsNullWhenNothingChangesBeforeTheTimeout()
    {
        var id = TestIds.NewCustomerId("quiet");
        var customer = fixture.Customer(id);
        var visit = Event(id, "v1", DateTimeOffset.UtcNow.AddHours(-1), Channel.Web, TouchpointKind.Visit);
        await customer.RecordTouchpointAsync(visit);

        Assert.Null(await customer.WaitForChangeAsync(1, AnyScore, ShortWait));

        // A duplicate changes nothing, so it wakes no watcher either.
        var watching = customer.WaitForChangeAsync(1, AnyScore, ShortWait);
        var duplicate = await customer.RecordTouchpointAsync(visit);
        Assert.Equal(TouchpointStatus.Duplicate, duplicate.Status);
        Assert.Null(await watching);
    }

    [Fact]
    public async Task WatcherOfACustomerNeverWrittenGetsNullAfterTheTimeout()
    {
        var customer = fixture.Customer(TestIds.NewCustomerId("never"));

        Assert.Null(await customer.WaitForChangeAsync(0, AnyScore, ShortWait));
        Assert.Null(await customer.GetViewAsync());
    }
}

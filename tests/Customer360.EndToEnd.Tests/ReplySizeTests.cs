using Customer360.Api.V1;
using Customer360.Server.Grpc;
using Grpc.Core;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Replies stay readable by a gRPC client's default 4 MB limit however large the touchpoints
/// are: a touchpoint above 16 KB encoded is refused (on a stream, that message only), and a
/// ListTouchpoints page of large touchpoints ends early, with a token for the rest.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class ReplySizeTests(ServerFixture fixture)
{
    private const int MaxTouchpointBytes = 16 * 1024;

    private CustomerService.CustomerServiceClient Customers => fixture.Server.Customers;

    [Fact]
    public async Task ATouchpointAboveTheSizeLimitIsRefusedAndOnAStreamOnlyThatMessage()
    {
        var id = NewCustomerId("too-large");
        var tooLarge = Sized(id, DateTimeOffset.UtcNow.AddHours(-1), MaxTouchpointBytes + 1);

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await Customers.RecordTouchpointAsync(Record(tooLarge)));
        using var stream = Customers.StreamTouchpoints();
        await stream.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = tooLarge });
        await stream.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Sized(id, DateTimeOffset.UtcNow.AddHours(-2), MaxTouchpointBytes) });
        await stream.RequestStream.CompleteAsync();
        var acks = new List<TouchpointAck>();
        while (await stream.ResponseStream.MoveNext(CancellationToken.None))
        {
            acks.Add(stream.ResponseStream.Current);
        }

        var view = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal($"touchpoint: is {MaxTouchpointBytes + 1:N0} bytes encoded; at most {MaxTouchpointBytes:N0} are accepted", refused.Status.Detail);
        Assert.Equal([AckStatus.Rejected, AckStatus.Accepted], acks.Select(a => a.Status));
        Assert.Equal("touchpoint", acks[0].Field);
        Assert.Equal(1L, view.Version);
    }

    [Fact]
    public async Task APageOfLargeTouchpointsEndsEarlyAndTheNextPageCarriesOn()
    {
        const int Count = 140;
        var id = NewCustomerId("large-pages");
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        var sent = Enumerable.Range(0, Count).Select(i => Sized(id, start.AddSeconds(i), MaxTouchpointBytes)).ToList();
        await SyntheticCustomers.StreamAllAsync(Customers, sent);

        var pages = new List<ListTouchpointsResponse>();
        var token = "";
        do
        {
            var page = await Customers.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = id, PageSize = 500, PageToken = token });
            pages.Add(page);
            token = page.NextPageToken;
        }
        while (token.Length > 0 && pages.Count < 10);

        // Newest first, each exactly once, over pages that each fit in half a client's default limit.
        Assert.True(pages.Count >= 2, $"one page of {pages[0].Touchpoints.Count} large touchpoints");
        Assert.All(pages, page => Assert.InRange(page.CalculateSize(), 1, CustomerApi.MaxPageBytes + 1024));
        Assert.Equal(
            sent.Select(t => t.EventId).Reverse(),
            pages.SelectMany(page => page.Touchpoints).Select(t => t.EventId));
    }

    [Fact]
    public async Task AViewOfALargeRecentWindowLeavesOutItsOldestTouchpointsToStayWithinTheLimit()
    {
        const int Count = 140;
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string?> { ["Customer360:RecentWindow"] = "200" });
        var id = NewCustomerId("large-view");
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        var sent = Enumerable.Range(0, Count).Select(i => Sized(id, start.AddSeconds(i), MaxTouchpointBytes)).ToList();
        await SyntheticCustomers.StreamAllAsync(server.Customers, sent);

        var view = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        using var watch = server.Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = id });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        var watched = watch.ResponseStream.Current;

        Assert.Equal(Count, view.Aggregates.TouchpointCount);
        Assert.InRange(view.RecentTouchpoints.Count, 100, Count - 1);
        Assert.InRange(view.CalculateSize(), 1, CustomerApi.MaxPageBytes);
        Assert.Equal(
            sent.Select(t => t.EventId).Reverse().Take(view.RecentTouchpoints.Count),
            view.RecentTouchpoints.Select(t => t.EventId));
        Assert.Equal(view.RecentTouchpoints.Count, watched.RecentTouchpoints.Count);
    }
}

using System.Diagnostics.Metrics;
using Customer360.Api.V1;
using Customer360.Server.Grpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// A server allows <c>Customer360:Grpc:MaxWatches</c> watches at once, customer and segment
/// watches together: one more is refused with RESOURCE_EXHAUSTED, asked to wait a second
/// (<c>grpc-retry-pushback-ms</c>), and a closed watch makes room.
/// </summary>
public sealed class WatchLimitTests
{
    [Fact]
    public async Task AWatchBeyondTheServersCapIsRefusedAndAClosedOneMakesRoom()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string?> { ["Customer360:Grpc:MaxWatches"] = "1" });
        using var metrics = new MetricsTests.EngineMeasurements(server.Services.GetRequiredService<IMeterFactory>());
        var id = NewCustomerId("watch-cap");
        await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 10m)));
        var open = server.Services.GetRequiredService<OpenWatches>();

        var first = server.Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = id });
        Assert.True(await first.ResponseStream.MoveNext(CancellationToken.None));
        var customerRefused = await RefusalOfAsync(server.Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = id }));
        var segmentRefused = await RefusalOfAsync(server.Segments.WatchSegment(new WatchSegmentRequest { SegmentId = "channel:point_of_sale" }));
        var whileOpen = open.Open;

        first.Dispose();
        await SyntheticCustomers.WaitForAsync(() => Task.FromResult(open.Open == 0));
        using var second = server.Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = id });
        var secondView = await second.ResponseStream.MoveNext(CancellationToken.None);

        Assert.Equal(StatusCode.ResourceExhausted, customerRefused.StatusCode);
        Assert.Equal(
            "this server has as many watches open as Customer360:Grpc:MaxWatches allows (1); retry later, or watch through another server",
            customerRefused.Status.Detail);
        // Worth waiting out, as a refusal for a key's rate is: a place frees when a watch closes.
        Assert.Equal("1000", customerRefused.Trailers.GetValue("grpc-retry-pushback-ms"));
        Assert.Equal(StatusCode.ResourceExhausted, segmentRefused.StatusCode);
        Assert.Equal("1000", segmentRefused.Trailers.GetValue("grpc-retry-pushback-ms"));
        // Counted for the operator, who raises the cap or adds a server when it climbs.
        Assert.Equal(new Dictionary<string, long> { ["watch"] = 2 }, metrics.ByTag("customer360.api.capped", count: true));
        Assert.Equal(1, whileOpen);
        Assert.True(secondView);
        Assert.Equal(id, second.ResponseStream.Current.CustomerId);
    }

    [Fact]
    public async Task AWatchWhoseScreenVanishedWithoutClosingItsConnectionEndsAndMakesRoom()
    {
        // A laptop put to sleep, a VPN or NAT that drops the route: the screen's connection is
        // neither closed nor answered any more, and its customer may not change for hours.
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Customer360:Grpc:MaxWatches"] = "1",
            ["Customer360:Grpc:KeepAlivePingDelay"] = "00:00:01",
            ["Customer360:Grpc:KeepAlivePingTimeout"] = "00:00:01",
        });
        var id = NewCustomerId("watch-gone");
        await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 10m)));
        var open = server.Services.GetRequiredService<OpenWatches>();
        await using var route = await SilentRoute.ToAsync(server.Address);
        using var channel = GrpcChannel.ForAddress(route.Address);
        var customers = new CustomerService.CustomerServiceClient(channel);
        using var watch = customers.WatchCustomer(new WatchCustomerRequest { CustomerId = id });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(1, open.Open);

        route.GoSilent();

        await SyntheticCustomers.WaitForAsync(() => Task.FromResult(open.Open == 0));
        using var next = server.Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = id });
        Assert.True(await next.ResponseStream.MoveNext(CancellationToken.None));
    }

    [Fact]
    public async Task ACapBelowOneStopsTheStartNamingTheSetting()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await TestServer.StartAsync(settings: new Dictionary<string, string?> { ["Customer360:Grpc:MaxWatches"] = "0" }));

        Assert.Equal("Customer360:Grpc:MaxWatches must be 1 or more, got 0", refused.Message);
    }

    [Fact]
    public async Task APingDelayBelowASecondStopsTheStartNamingTheSetting()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await TestServer.StartAsync(settings: new Dictionary<string, string?> { ["Customer360:Grpc:KeepAlivePingDelay"] = "00:00:00.500" }));

        Assert.Equal("Customer360:Grpc:KeepAlivePingDelay must be at least 00:00:01, got 00:00:00.5000000", refused.Message);
    }

    private static async Task<RpcException> RefusalOfAsync<T>(AsyncServerStreamingCall<T> watch)
    {
        using (watch)
        {
            return await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(CancellationToken.None));
        }
    }
}

using Customer360.Api.V1;
using Grpc.Core;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

public sealed class ShutdownTests
{
    [Fact]
    public async Task StoppingTheServerEndsOpenCallsWithUnavailableAndKeepsWhatWasAcknowledged()
    {
        var dataPath = TestServer.NewDataPath();
        var id = NewCustomerId("shutdown");
        var server = await TestServer.StartAsync(dataPath);
        await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 10m)));

        using var watch = server.Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = id });
        using var segmentWatch = server.Segments.WatchSegment(new WatchSegmentRequest { SegmentId = "tier:bronze" });
        using var till = server.Customers.StreamTouchpoints();
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(await segmentWatch.ResponseStream.MoveNext(CancellationToken.None));
        var sent = Purchase(id, 5m);
        await till.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = sent });
        Assert.True(await till.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(AckStatus.Accepted, till.ResponseStream.Current.Status);

        var stopping = server.StopAsync();

        foreach (var (name, reader) in new (string, Func<Task<bool>>)[]
        {
            ("WatchCustomer", () => watch.ResponseStream.MoveNext(CancellationToken.None)),
            ("WatchSegment", () => segmentWatch.ResponseStream.MoveNext(CancellationToken.None)),
        })
        {
            // Updates already under way may still arrive; then the call must end with UNAVAILABLE.
            var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                for (var i = 0; i < 100 && await reader(); i++)
                {
                }
            });
            Assert.True(ex.StatusCode == StatusCode.Unavailable && ex.Status.Detail.Contains("shutting down"), $"call {name} ended with {ex.Status}");
        }

        // The till's call ends too. Its UNAVAILABLE trailer can lose the race with the HTTP/2
        // connection closing, so only the ending is required here; what matters is below:
        // nothing it had acknowledged is lost.
        await Assert.ThrowsAsync<RpcException>(() => till.ResponseStream.MoveNext(CancellationToken.None));

        await stopping;
        await using var restarted = await TestServer.StartAsync(dataPath);
        var view = await restarted.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal("15.00", view.Aggregates.NetSpend.Amount);
        Assert.Contains(view.RecentTouchpoints, t => t.EventId == sent.EventId);
    }
}

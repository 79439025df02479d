using Customer360.Api.V1;
using Customer360.LoadTest.Engine;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;

namespace Customer360.LoadTest.Tests;

/// <summary><c>c360-load ingest --read-recent</c>: how much history the agents' reads ask for.</summary>
public sealed class ReadRecentOptionTests
{
    [Fact]
    public async Task TheAgentsReadsAskTheServerForTheCountGiven()
    {
        await using var server = await LoopbackServer.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new CustomerService.CustomerServiceClient(channel);
        var customerId = "reader-" + Guid.NewGuid().ToString("N");
        for (var i = 0; i < 3; i++)
        {
            var ack = await client.RecordTouchpointAsync(new RecordTouchpointRequest
            {
                Touchpoint = new Touchpoint
                {
                    EventId = $"visit-{i}",
                    CustomerId = customerId,
                    OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(i - 10)),
                    Channel = Channel.Web,
                    Kind = TouchpointKind.Visit,
                },
            });
            Assert.Equal(AckStatus.Accepted, ack.Status);
        }

        async Task<double?> PerViewAsync(int? recent)
        {
            var reads = new CustomerReads([client], ratePerSecond: 1, seed: 1, recentTouchpoints: recent);
            reads.Acknowledged(customerId);
            await reads.ReadOnceAsync();
            await reads.ReadOnceAsync();
            Assert.Empty(reads.Tally.Errors());
            Assert.Equal(2, reads.Tally.Succeeded);
            return reads.TouchpointsPerView;
        }

        Assert.Equal(3, await PerViewAsync(null));
        Assert.Equal(1, await PerViewAsync(1));
        Assert.Equal(0, await PerViewAsync(0));
    }

    [Fact]
    public void TheReadsCanAskForALighterView()
    {
        var parse = LoadTestApplication.Create().Parse(["ingest", "--reads-per-second", "500", "--read-recent", "0"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(0, parse.GetValue<int?>("--read-recent"));
        Assert.Null(LoadTestApplication.Create().Parse(["ingest", "--reads-per-second", "500"]).GetValue<int?>("--read-recent"));
    }

    [Fact]
    public void ANegativeCountIsRefused()
    {
        var parse = LoadTestApplication.Create().Parse(["ingest", "--read-recent", "-1"]);

        Assert.Contains(parse.Errors, e => e.Message.Contains("--read-recent must not be negative", StringComparison.Ordinal));
    }
}

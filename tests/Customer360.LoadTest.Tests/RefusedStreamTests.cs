using System.Collections.Concurrent;
using Customer360.Api.V1;
using Customer360.LoadTest.Engine;
using Customer360.LoadTest.Ingest;
using Customer360.LoadTest.Reporting;
using Customer360.LoadTest.Workload;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// A touchpoint stream the server refuses for now as it opens (<c>RESOURCE_EXHAUSTED</c> with
/// <c>grpc-retry-pushback-ms</c>, here beyond <c>Customer360:Grpc:MaxTouchpointStreams</c>) is
/// opened again after the wait it asks for, and what it had taken is sent again first.
/// </summary>
public sealed class RefusedStreamTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task AStreamBeyondTheServersCapWaitsForItsPlaceAndEveryTouchpointIsAcknowledgedOnceFromItsFirstDueTime(int batch)
    {
        // One place for two streams. At 200 touchpoints a second, the stream that got the place
        // stays open about 2 s, so the other is refused at least once (the server asks for 1 s).
        await using var server = await LoopbackServer.StartAsync(new Dictionary<string, string?>
        {
            ["Customer360:Grpc:MaxTouchpointStreams"] = "1",
        });
        var settings = EngineOnlySettings.For(server.Address, "capped") with { Touchpoints = 400, Customers = 40, Streams = 2, Rate = 200, Batch = batch };
        var lines = new ConcurrentQueue<string>();

        var report = await new IngestBenchmark(settings, lines.Enqueue).RunAsync(CancellationToken.None);

        Assert.True(report.Engine.Clean, string.Join("; ", report.Engine.Problems));
        Assert.Equal(settings.Touchpoints, report.Engine.Sent);
        Assert.Equal(settings.Touchpoints, report.Engine.Accepted);
        Assert.Equal(0, report.Engine.Duplicate);
        Assert.Equal(settings.Touchpoints, report.Engine.Answered.Count);
        Assert.True(report.Verification is { Passed: true, CustomersChecked: > 0, Doubled: 0, Dropped: 0 });
        Assert.True(report.Engine.RefusalsWaitedOut >= 1);
        Assert.Equal(report.Engine.RefusalsWaitedOut, (int)ReportJson.ToJson(report)["engine"]!["refusalsWaitedOut"]!);
        Assert.Equal(report.Engine.RefusalsWaitedOut, lines.Count(line => line.Contains("refused for now", StringComparison.Ordinal)));
        Assert.Contains(lines, line => line.Contains("opening it again in 1 s", StringComparison.Ordinal));
        Assert.Contains("the server refused streams for now as they opened", ReportText.Of(report), StringComparison.Ordinal);
        // The refused stream's first touchpoint was due as the run began and was acknowledged
        // only after the wait of at least a second: measured from its first due time, its latency
        // shows that wait rather than hiding it.
        Assert.True(report.Engine.ScheduledLatency!.Max >= 1_000_000, $"max latency from the due time {report.Engine.ScheduledLatency.Max} µs");
    }

    [Fact]
    public async Task AStreamStillRefusedAfterItsWaitsFailsNamingTheRefusalAndTheWaits()
    {
        await using var server = await LoopbackServer.StartAsync(new Dictionary<string, string?>
        {
            ["Customer360:Grpc:MaxTouchpointStreams"] = "1",
        });
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new CustomerService.CustomerServiceClient(channel);

        // Another till holds the one place: its first touchpoint acknowledged, the stream left open.
        using var holder = client.StreamTouchpoints();
        await holder.RequestStream.WriteAsync(new StreamTouchpointsRequest
        {
            Touchpoint = new Touchpoint
            {
                EventId = "holder-" + Guid.NewGuid().ToString("N"),
                CustomerId = "holder",
                OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1)),
                Channel = Channel.PointOfSale,
                Kind = TouchpointKind.Visit,
            },
        });
        Assert.True(await holder.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(AckStatus.Accepted, holder.ResponseStream.Current.Status);

        var workload = new WorkloadGenerator(5).Generate("refused-" + Guid.NewGuid().ToString("N")[..8], 50, 10, DateTimeOffset.UtcNow);
        var lines = new ConcurrentQueue<string>();
        var engine = new EngineIngest([client], streams: 1, window: 16, batch: 1, offeredRate: null)
        {
            Refused = lines.Enqueue,
            LongestRefusal = TimeSpan.FromSeconds(2),
        };

        var result = await engine.RunAsync(workload, progress: null, CancellationToken.None);
        await holder.RequestStream.CompleteAsync();

        // Refused, 1 s, refused, 1 s, refused: one more second would pass the 2 s allowed.
        Assert.False(result.Clean);
        Assert.Equal(0, result.Accepted);
        Assert.Equal(2, result.RefusalsWaitedOut);
        Assert.Equal(2, lines.Count);
        Assert.All(lines, line => Assert.StartsWith("stream 0 refused for now: ResourceExhausted: ", line, StringComparison.Ordinal));
        var problem = Assert.Single(result.Problems);
        Assert.StartsWith("stream 0: stream failed with ResourceExhausted: ", problem, StringComparison.Ordinal);
        Assert.Contains("MaxTouchpointStreams", problem, StringComparison.Ordinal);
        Assert.EndsWith("(refused 3 times as it opened, 2 s of waiting in all)", problem, StringComparison.Ordinal);
    }
}

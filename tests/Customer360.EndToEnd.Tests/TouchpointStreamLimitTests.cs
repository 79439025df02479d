using System.Diagnostics.Metrics;
using Customer360.Api.V1;
using Customer360.Server.Grpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// A server allows <c>Customer360:Grpc:MaxTouchpointStreams</c> touchpoint streams at once,
/// <c>StreamTouchpoints</c> and <c>StreamTouchpointBatches</c> together: one more is refused with
/// RESOURCE_EXHAUSTED as it opens and applies nothing, and a stream's end, whether it finished
/// or its till cancelled it, makes room. The refusal asks the till to wait a second
/// (<c>grpc-retry-pushback-ms</c>) before it opens the stream again.
/// </summary>
public sealed class TouchpointStreamLimitTests
{
    private const string Refusal =
        "this server has as many touchpoint streams open as Customer360:Grpc:MaxTouchpointStreams allows (1); retry later, or stream through another server";

    [Fact]
    public async Task AStreamBeyondTheServersCapIsRefusedAndAFinishedOneMakesRoom()
    {
        await using var server = await StartAsync(maxStreams: 1);
        using var metrics = new MetricsTests.EngineMeasurements(server.Services.GetRequiredService<IMeterFactory>());
        var open = server.Services.GetRequiredService<OpenTouchpointStreams>();
        var first = NewCustomerId("stream-cap");
        var refusedId = NewCustomerId("stream-cap-refused");

        using var till = server.Customers.StreamTouchpoints();
        var firstAck = await SendAsync(till, Purchase(first, 10m));
        var refused = await RefusalOfAsync(server.Customers.StreamTouchpoints(), Purchase(refusedId, 20m));
        var batchesRefused = await RefusalOfAsync(server.Customers.StreamTouchpointBatches(), Purchase(refusedId, 40m));
        var whileOpen = open.Open;

        await till.RequestStream.CompleteAsync();
        Assert.False(await till.ResponseStream.MoveNext(CancellationToken.None));
        await SyntheticCustomers.WaitForAsync(() => Task.FromResult(open.Open == 0));
        using var next = server.Customers.StreamTouchpoints();
        var nextAck = await SendAsync(next, Purchase(first, 5m));
        var neverApplied = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = refusedId }));

        Assert.Equal(AckStatus.Accepted, firstAck.Status);
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal(Refusal, refused.Status.Detail);
        // Worth waiting out, as a refusal for a key's rate is: a place frees when a stream ends.
        Assert.Equal("1000", refused.Trailers.GetValue("grpc-retry-pushback-ms"));
        Assert.Equal(StatusCode.ResourceExhausted, batchesRefused.StatusCode);
        Assert.Equal(Refusal, batchesRefused.Status.Detail);
        Assert.Equal("1000", batchesRefused.Trailers.GetValue("grpc-retry-pushback-ms"));
        Assert.Equal(new Dictionary<string, long> { ["touchpoint_stream"] = 2 }, metrics.ByTag("customer360.api.capped", count: true));
        Assert.Equal(1, whileOpen);
        Assert.Equal(StatusCode.OK, till.GetStatus().StatusCode);
        Assert.Equal((AckStatus.Accepted, 2L), (nextAck.Status, nextAck.CustomerVersion));
        Assert.Equal(StatusCode.NotFound, neverApplied.StatusCode);
    }

    [Fact]
    public async Task AStreamItsTillCancelledMakesRoom()
    {
        await using var server = await StartAsync(maxStreams: 1);
        var open = server.Services.GetRequiredService<OpenTouchpointStreams>();
        var id = NewCustomerId("stream-cap-cancel");

        using var cancelling = new CancellationTokenSource();
        using var till = server.Customers.StreamTouchpointBatches(cancellationToken: cancelling.Token);
        await till.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 10m) });
        Assert.True(await till.ResponseStream.MoveNext(CancellationToken.None));
        var whileOpen = open.Open;

        // The till gives up on the stream without finishing it, as one that restarts does.
        await cancelling.CancelAsync();
        await SyntheticCustomers.WaitForAsync(() => Task.FromResult(open.Open == 0));
        using var next = server.Customers.StreamTouchpoints();
        var nextAck = await SendAsync(next, Purchase(id, 5m));

        Assert.Equal(1, whileOpen);
        Assert.Equal((AckStatus.Accepted, 2L), (nextAck.Status, nextAck.CustomerVersion));
    }

    [Fact]
    public async Task AnImportRefusedAsItOpensWaitsItsTurnAndCountsEachTouchpointOnce()
    {
        await using var server = await StartAsync(maxStreams: 1);
        using var metrics = new MetricsTests.EngineMeasurements(server.Services.GetRequiredService<IMeterFactory>());
        var id = NewCustomerId("stream-cap-import");
        var touchpoints = Enumerable.Range(1, 6).Select(amount => Purchase(id, amount)).ToArray();
        // One of them is known already: it must come back as the one duplicate.
        await server.Customers.RecordTouchpointAsync(Record(touchpoints[2]));
        var file = Path.Combine(Path.GetTempPath(), $"c360-stream-cap-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(file, touchpoints.Select(touchpoint => Google.Protobuf.JsonFormatter.Default.Format(touchpoint)));
        try
        {
            // A till holds the server's only place, so the import's stream is refused as it opens.
            using var till = server.Customers.StreamTouchpoints();
            await SendAsync(till, Purchase(NewCustomerId("stream-cap-till"), 1m));
            await using var import = CliProcess.Start("import", file, "--server", server.Address.ToString(), "--json");
            await import.WaitForErrorAsync(line => line.StartsWith(
                "stream refused for now: RESOURCE_EXHAUSTED (8): this server has as many touchpoint streams open", StringComparison.Ordinal));

            // The till finishes, and the import's next try gets the place.
            await till.RequestStream.CompleteAsync();
            Assert.False(await till.ResponseStream.MoveNext(CancellationToken.None));
            var exitCode = await import.WaitForExitAsync();
            var view = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

            Assert.True(exitCode == 0, $"c360 exited with {exitCode}\n{import.Printed()}");
            using var tally = System.Text.Json.JsonDocument.Parse(string.Join('\n', import.Output));
            Assert.Equal(
                (5L, 1L, 0L, 0L),
                (tally.RootElement.GetProperty("accepted").GetInt64(), tally.RootElement.GetProperty("duplicate").GetInt64(),
                 tally.RootElement.GetProperty("rejected").GetInt64(), tally.RootElement.GetProperty("unacknowledged").GetInt64()));
            Assert.Equal((6L, 6L), (view.Version, view.Aggregates.TouchpointCount));
            Assert.True(metrics.ByTag("customer360.api.capped", count: true).GetValueOrDefault("touchpoint_stream") > 0, "the server refused the import's stream");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ACapBelowOneStopsTheStartNamingTheSetting()
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () => await StartAsync(maxStreams: 0));

        Assert.Equal("Customer360:Grpc:MaxTouchpointStreams must be 1 or more, got 0", refused.Message);
    }

    private static Task<TestServer> StartAsync(int maxStreams) => TestServer.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Customer360:Grpc:MaxTouchpointStreams"] = maxStreams.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    private static async Task<TouchpointAck> SendAsync(AsyncDuplexStreamingCall<StreamTouchpointsRequest, TouchpointAck> stream, Api.V1.Touchpoint touchpoint)
    {
        await stream.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = touchpoint });
        Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
        return stream.ResponseStream.Current;
    }

    /// <summary>How the server ends a stream that sent <paramref name="touchpoint"/> as it opened.</summary>
    internal static async Task<RpcException> RefusalOfAsync<TAck>(AsyncDuplexStreamingCall<StreamTouchpointsRequest, TAck> stream, Api.V1.Touchpoint touchpoint)
    {
        using (stream)
        {
            try
            {
                await stream.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = touchpoint });
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException)
            {
                // The server may have ended the call before the message went.
            }

            return await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None));
        }
    }
}

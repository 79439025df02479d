using Customer360.LoadTest.Ceiling;
using Customer360.LoadTest.Ceiling.Wire;
using Customer360.LoadTest.Workload;
using Google.Protobuf;
using Grpc.Net.Client;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// The gRPC echo ceiling over a real loopback Kestrel server: every touchpoint comes back once and
/// intact, and an echo that is dropped, doubled or altered fails the run.
/// </summary>
public sealed class EchoCeilingTests
{
    private static readonly IngestWorkload Workload = new WorkloadGenerator(11).Generate("echo", 3_000, 300, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

    private static async Task<EchoCeilingResult> RunAsync(Func<EchoFrame, EchoFrame?>? tamper, int streams = 4, int window = 16, int batch = 1)
    {
        await using var server = await EchoServer.StartAsync(tamper);
        using var channel = GrpcChannel.ForAddress(server.Address);
        var ceiling = new EchoCeiling(new TouchpointEcho.TouchpointEchoClient(channel), streams, window, batch);
        return await ceiling.RunAsync(Workload, CancellationToken.None);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task EveryTouchpointIsEchoedOnceAndIntact(int batch)
    {
        var result = await RunAsync(tamper: null, batch: batch);

        Assert.Empty(result.Problems);
        Assert.True(result.Clean);
        Assert.Equal(3_000, result.Sent);
        Assert.Equal(3_000, result.Echoed);
        Assert.Equal(3_000, result.Latency.Count);
        Assert.Equal(4, result.Streams);
        Assert.True(result.EchoedPerSecond > 0);
        Assert.Null(result.ScheduledLatency);
        if (batch == 1)
        {
            Assert.Equal(3_000, result.Messages);
        }
        else
        {
            Assert.InRange(result.Messages, 3_000 / batch, 3_000);
        }

        // Frames carry the generated touchpoints as the engine receives them.
        var meanTouchpointBytes = Workload.Touchpoints.Average(t => (double)t.Message.CalculateSize());
        Assert.Equal(meanTouchpointBytes * result.Sent / result.Messages, result.AverageMessageBytes, precision: 6);
    }

    [Fact]
    public async Task ADroppedEchoFailsTheRun()
    {
        var frames = 0;
        var result = await RunAsync(frame => Interlocked.Increment(ref frames) == 100 ? null : frame);

        Assert.False(result.Clean);
        Assert.True(result.Echoed < result.Sent);
        Assert.Contains(result.Problems, p => p.Contains("out of order", StringComparison.Ordinal) || p.Contains("not echoed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAlteredEchoFailsTheRun()
    {
        var frames = 0;
        var result = await RunAsync(frame =>
        {
            if (Interlocked.Increment(ref frames) != 50)
            {
                return frame;
            }

            var altered = frame.Clone();
            var bytes = altered.Touchpoints[0].ToByteArray();
            bytes[^1] ^= 0x5A;
            altered.Touchpoints[0] = ByteString.CopyFrom(bytes);
            return altered;
        });

        Assert.False(result.Clean);
        Assert.Contains(result.Problems, p => p.Contains("came back altered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADoubledEchoFailsTheRun()
    {
        var frames = 0;
        var doubled = (EchoFrame?)null;
        var result = await RunAsync(frame =>
        {
            // The 30th frame goes back again in place of the 31st of its stream's neighbours.
            var n = Interlocked.Increment(ref frames);
            if (n == 30)
            {
                doubled = frame;
            }

            return n == 31 && doubled is not null ? doubled : frame;
        }, streams: 1);

        Assert.False(result.Clean);
        Assert.Contains(result.Problems, p => p.Contains("out of order", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheCeilingCommandRunsOnItsOwnAndWritesItsFigures()
    {
        var file = Path.Combine(Path.GetTempPath(), $"c360-echo-{Guid.NewGuid():N}.json");
        try
        {
            var exit = await LoadTestApplication.Create()
                .Parse(["ceiling", "grpc", "--messages", "600", "--customers", "60", "--streams", "3", "--window", "8", "--warmup", "100", "--json", file])
                .InvokeAsync();

            Assert.Equal(0, exit);
            var echo = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(file))!["echoCeiling"]!;
            Assert.Equal(600, echo["sent"]!.GetValue<int>());
            Assert.Equal(600, echo["echoed"]!.GetValue<int>());
            Assert.Equal(3, echo["streams"]!.GetValue<int>());
            Assert.True(echo["clean"]!.GetValue<bool>());
            Assert.Equal(600, echo["latencyMicroseconds"]!["count"]!.GetValue<long>());
        }
        finally
        {
            File.Delete(file);
        }
    }
}

using Customer360.LoadTest.Ingest;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// <c>ingest --batch N</c> above 1 drives a gateway: touchpoints several to a message, and their
/// acks back several to a message (<c>StreamTouchpointBatches</c>).
/// </summary>
public sealed class BatchedIngestTests
{
    [Fact]
    public async Task ABatchingSenderGetsEveryAckAndTheCustomersHoldExactlyWhatWasAcknowledged()
    {
        await using var server = await LoopbackServer.StartAsync();
        var settings = EngineOnlySettings.For(server.Address, "batched") with { Batch = 8 };

        var report = await new IngestBenchmark(settings, _ => { }).RunAsync(CancellationToken.None);

        Assert.True(report.Engine.Clean, string.Join("; ", report.Engine.Problems));
        Assert.Equal(settings.Touchpoints, report.Engine.Accepted);
        Assert.Equal(0, report.Engine.Unacknowledged);
        Assert.True(report.Engine.Messages < report.Engine.Sent, $"{report.Engine.Messages} messages for {report.Engine.Sent} touchpoints");
        Assert.True(report.Verification is { Passed: true, CustomersChecked: > 0 });
        Assert.Contains("engine: gRPC StreamTouchpointBatches", ReportText.Of(report), StringComparison.Ordinal);
    }
}

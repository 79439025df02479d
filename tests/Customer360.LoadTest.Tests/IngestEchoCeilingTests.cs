using Customer360.LoadTest.Ingest;
using Customer360.LoadTest.Reporting;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// <c>ingest --echo-ceiling</c> against the real server over gRPC: the engine's rate and the echo
/// ceiling's, measured with the same streams, window and touchpoints, and the ratio of the two in
/// the table and the JSON.
/// </summary>
public sealed class IngestEchoCeilingTests
{
    private static IngestSettings Settings(Uri server, bool echoCeiling) =>
        EngineOnlySettings.For(server, "echo") with { Warmup = 200, EchoCeiling = echoCeiling };

    [Fact]
    public async Task TheEngineAndTheEchoCeilingAreReportedWithTheirRatio()
    {
        await using var server = await LoopbackServer.StartAsync();

        var report = await new IngestBenchmark(Settings(server.Address, echoCeiling: true), _ => { }).RunAsync(CancellationToken.None);

        Assert.True(report.Engine.Clean, string.Join("; ", report.Engine.Problems));
        Assert.Equal(1_000, report.Engine.Accepted);
        Assert.True(report.Verification?.Passed);
        var echo = Assert.IsType<Ceiling.EchoCeilingResult>(report.EchoCeiling);
        Assert.True(echo.Clean, string.Join("; ", echo.Problems));
        Assert.Equal(1_000, echo.Echoed);
        Assert.Equal((report.Engine.Streams, report.Engine.Window, report.Engine.Batch), (echo.Streams, echo.Window, echo.Batch));
        Assert.Equal(report.Engine.AcknowledgedPerSecond / echo.EchoedPerSecond, report.EngineToEchoCeiling);

        var json = ReportJson.ToJson(report);
        Assert.Equal(1_000, json["echoCeiling"]!["echoed"]!.GetValue<int>());
        Assert.True(json["echoCeiling"]!["echoedPerSecond"]!.GetValue<double>() > 0);
        Assert.True(json["ratios"]!["engineToEchoCeiling"]!.GetValue<double>() > 0);

        var text = ReportText.Of(report);
        Assert.Contains("ceiling: gRPC bidi-stream echo", text, StringComparison.Ordinal);
        Assert.Contains("engine / echo ceiling", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTheOptionNoEchoCeilingIsMeasured()
    {
        await using var server = await LoopbackServer.StartAsync();

        var report = await new IngestBenchmark(Settings(server.Address, echoCeiling: false) with { Warmup = 0, Touchpoints = 200, Customers = 20 }, _ => { }).RunAsync(CancellationToken.None);

        Assert.Null(report.EchoCeiling);
        Assert.Null(report.EngineToEchoCeiling);
        Assert.Null(ReportJson.ToJson(report)["echoCeiling"]);
    }
}

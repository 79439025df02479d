using System.Diagnostics;
using Customer360.Api.V1;
using Customer360.Server.Security;
using Grpc.Core;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// A client retrying with a wrong key, thousands of times a second, leaves one warning every
/// ten seconds in the server's log, not one a call. The server runs as a child process, so its
/// log is exactly what an operator would read.
/// </summary>
public sealed class RefusalLogTests
{
    [Fact]
    public async Task RepeatedRefusalsLeaveOneWarningAPeriod()
    {
        const int Calls = 25;
        var started = Stopwatch.GetTimestamp();
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Customer360:Storage:DataPath"] = TestServer.NewDataPath(),
            ["Customer360:Auth:Keys:operations:Sha256"] = ApiKeys.DigestOf("refusal-log-key-0c5e"),
            ["Customer360:Auth:Keys:operations:Roles"] = "operator",
        });
        var wrongKey = new SegmentService.SegmentServiceClient(KeyedServerFixture.Sending(server.Channel, "Bearer not-the-key"));

        for (var i = 0; i < Calls; i++)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => wrongKey.ListSegmentsAsync(new ListSegmentsRequest()).ResponseAsync);
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        }

        var warnings = server.Output.Count(line => line.Contains("Refused a call", StringComparison.Ordinal));
        Assert.InRange(warnings, 1, 1 + (int)(Stopwatch.GetElapsedTime(started).TotalSeconds / 10));
    }
}

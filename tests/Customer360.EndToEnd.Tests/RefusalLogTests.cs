using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Customer360.Api.V1;
using Customer360.Server.Security;
using Grpc.Core;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// A client retrying with a wrong key, thousands of times a second, leaves one warning every
/// ten seconds in the server's log, not one a call; and every refusal is still counted in the
/// log by the time the server has stopped. The server runs as a child process, so its log is
/// exactly what an operator would read.
/// </summary>
public sealed partial class RefusalLogTests
{
    [Fact]
    public async Task RepeatedRefusalsLeaveOneWarningAPeriodAndAreAllCountedByTheStop()
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

        // The calls held back are told of by the next warning, or, when none comes, by a line of
        // their own at the latest as the server stops: the log accounts for every refusal.
        await server.StopAsync(TimeSpan.FromMinutes(2));
        var logged = server.Output.Select(line => RefusedLine().Match(line)).Where(match => match.Success).ToList();
        var leftOut = server.Output.Select(line => LeftOutLine().Match(line)).Where(match => match.Success).ToList();
        Assert.NotEmpty(leftOut);
        Assert.Equal(Calls, logged.Sum(match => 1 + Count(match)) + leftOut.Sum(Count));
    }

    private static int Count(Match match) => int.Parse(match.Groups["count"].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Refused a call to .* with Unauthenticated: key \(none\), .*\((?<count>\d+) more like it not logged since the last\)")]
    private static partial Regex RefusedLine();

    [GeneratedRegex(@"(?<count>\d+) more calls were refused with Unauthenticated for key \(none\) after the last one logged")]
    private static partial Regex LeftOutLine();
}

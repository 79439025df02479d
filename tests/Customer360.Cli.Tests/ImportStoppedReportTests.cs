using System.Text.Json;
using System.Text.RegularExpressions;
using Customer360.Api.V1;
using Customer360.Cli.Commands;
using Customer360.Cli.Import;
using Customer360.Cli.Infrastructure;
using Grpc.Core;
using Spectre.Console;

namespace Customer360.Cli.Tests;

/// <summary>
/// What <c>c360 import</c> shows when the server stops its stream part way: the tally of what
/// was acknowledged, then why it stopped, and exit code 2, whether the stream ended early with
/// OK (the acknowledgements fell short of what was sent) or with an error status.
/// </summary>
public class ImportStoppedReportTests
{
    private const string Server = "http://127.0.0.1:5360/";

    private static readonly string EndedEarly = "error: the server ended the stream after 6 record(s); re-run the import to send the rest";

    private static readonly string Unavailable = $"error: UNAVAILABLE (14): the server is shutting down (is the server running at {Server}?)";

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task AStreamStoppedPartWayReportsWhatWasAcknowledgedThenWhy(bool withUnavailable, bool json)
    {
        // Six touchpoints acknowledged (one a duplicate, one rejected), then the stream ends.
        var stream = new FakeTouchpointStream(
            batch: 2,
            touchpoint => touchpoint.EventId switch
            {
                "e-3" => new TouchpointAck { Status = AckStatus.Duplicate },
                "e-5" => new TouchpointAck { Status = AckStatus.Rejected, Reason = "amount must not be negative", Field = "touchpoint.amount", Code = 3 },
                _ => new TouchpointAck { Status = AckStatus.Accepted },
            },
            stopAfter: 6,
            refusal: withUnavailable ? new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "the server is shutting down")) : null);
        var (output, jsonOutput, errors) = (new StringWriter(), new StringWriter(), new StringWriter());
        using var context = new CliContext(
            new Uri(Server), null, null, json, CancellationToken.None, new CliOutput(Capturing(output), jsonOutput, Capturing(errors)));

        var exitCode = await ImportCommand.StreamAsync(context, Lines(100), window: 4, total: 100, "Importing touchpoints.csv", stream.Open);

        Assert.Equal(ExitCodes.ServerError, exitCode);
        Assert.Contains(withUnavailable ? Unavailable : EndedEarly, errors.ToString().Split('\n').Select(line => line.TrimEnd()));
        if (json)
        {
            using var tally = JsonDocument.Parse(jsonOutput.ToString());
            var root = tally.RootElement;
            Assert.Equal(
                (4, 1, 1),
                (root.GetProperty("accepted").GetInt32(), root.GetProperty("duplicate").GetInt32(), root.GetProperty("rejected").GetInt32()));
            Assert.Equal(5, Assert.Single(root.GetProperty("rejections").EnumerateArray()).GetProperty("line").GetInt32());
            Assert.Equal(string.Empty, output.ToString());
        }
        else
        {
            var shown = output.ToString();
            Assert.Equal((4, 1, 1), (Count(shown, "accepted"), Count(shown, "duplicate"), Count(shown, "rejected")));
            Assert.Contains("amount must not be negative", shown);
            Assert.Equal(string.Empty, jsonOutput.ToString());
        }
    }

    private static IEnumerable<ParsedLine<Touchpoint>> Lines(int count)
    {
        for (var line = 2; line < count + 2; line++)
        {
            yield return ParsedLine<Touchpoint>.Ok(line, new Touchpoint { EventId = $"e-{line}", CustomerId = "C1" });
        }
    }

    private static IAnsiConsole Capturing(StringWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 200;
        return console;
    }

    /// <summary>The figure on the summary's row for <paramref name="outcome"/>.</summary>
    private static int Count(string shown, string outcome)
    {
        var row = Regex.Match(shown, $@"^[\s│|]*{outcome}[\s│|]+(\d+)[\s│|]*$", RegexOptions.Multiline);
        Assert.True(row.Success, $"no {outcome} row in:\n{shown}");
        return int.Parse(row.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}

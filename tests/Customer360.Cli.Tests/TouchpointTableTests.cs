using Customer360.Api.V1;
using Customer360.Cli.Rendering;
using Google.Protobuf.WellKnownTypes;
using Spectre.Console;

namespace Customer360.Cli.Tests;

public sealed class TouchpointTableTests
{
    private static Touchpoint Visit(string eventId, string recordedBy) => new()
    {
        EventId = eventId,
        CustomerId = "c-1",
        OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero)),
        Channel = Channel.Web,
        Kind = TouchpointKind.Visit,
        RecordedBy = recordedBy,
    };

    private static string Render(IEnumerable<Touchpoint> touchpoints, int width)
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = width;
        console.Write(TouchpointTable.Create(touchpoints, width));
        return output.ToString();
    }

    [Fact]
    public void AWideTableNamesTheKeyThatRecordedEachTouchpoint()
    {
        var rendered = Render([Visit("e-1", "store_tills"), Visit("e-2", "")], TouchpointTable.WideWidth);
        var narrow = Render([Visit("e-1", "store_tills")], TouchpointTable.WideWidth - 1);
        var lines = rendered.Split('\n');

        Assert.Contains("Recorded by", lines.Single(l => l.Contains("Event id", StringComparison.Ordinal)));
        Assert.Contains("store_tills", lines.Single(l => l.Contains("e-1", StringComparison.Ordinal)));
        Assert.DoesNotContain("store_tills", lines.Single(l => l.Contains("e-2", StringComparison.Ordinal)));
        Assert.DoesNotContain("Recorded by", narrow);
    }

    [Fact]
    public void TouchpointsRecordedWithoutKeysGetNoSuchColumn()
    {
        var rendered = Render([Visit("e-1", ""), Visit("e-2", "")], TouchpointTable.WideWidth);

        Assert.DoesNotContain("Recorded by", rendered);
        Assert.Contains("e-2", rendered);
    }
}

using Customer360.LoadTest.Reporting;
using Spectre.Console;

namespace Customer360.LoadTest.Tests;

/// <summary>An ingest report as <c>c360-load ingest</c> prints it, without colours, wide enough that no table wraps.</summary>
internal static class ReportText
{
    public static string Of(IngestReport report)
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 200;
        ReportTable.Write(console, report);
        return text.ToString();
    }
}

using Customer360.LoadTest.InProcess;
using Customer360.LoadTest.Reporting;

namespace Customer360.LoadTest.Tests;

public sealed class MarkdownReportTests
{
    [Fact]
    public void AnIngestRunShowsItsCommandHeadlineFiguresAndEveryFigure()
    {
        var report = RunSummaryTests.Ingest("PostgreSQL 15", engineSeconds: 10, copySeconds: 2, naiveSeconds: 25, p99: 300_000);

        var markdown = MarkdownReport.Render(ReportJson.ToJson(report), "c360-load ingest --touchpoints 100000");

        Assert.Contains("### gRPC ingest, PostgreSQL 15", markdown);
        Assert.Contains("```\nc360-load ingest --touchpoints 100000\n```", markdown);
        Assert.Contains("Verified: every customer holds exactly", markdown);
        Assert.Contains("| engine touchpoints/s | 10,000 |", markdown);
        Assert.Contains("| engine / (a) | 0.20x |", markdown);
        Assert.Contains("| engine / (b) | 2.50x |", markdown);
        Assert.Contains("| ack p99 ms | 300 |", markdown);
        Assert.Contains("| engine.ackLatencyMicroseconds.p99 | 300000 |", markdown);
        Assert.Contains("| naiveBaseline.method | naive |", markdown);
        Assert.Contains("| machine.processorCount | 2 |", markdown);
    }

    [Fact]
    public void ARunThatWasNotVerifiedCleanSaysItsFiguresAreNotToBeQuoted()
    {
        var report = RunSummaryTests.Ingest("SQLite", engineSeconds: 10, copySeconds: null, naiveSeconds: null, p99: 1_000) with
        {
            Verification = new Engine.VerificationResult(10_000, 1, 1, 0, ["c-1: 1 lost"]),
        };

        var markdown = MarkdownReport.Render(ReportJson.ToJson(report), "c360-load ingest");

        Assert.Contains("**Not verified clean**", markdown);
        Assert.DoesNotContain("Verified: every customer", markdown);
        Assert.Contains("| verification.samples | c-1: 1 lost |", markdown);
    }

    [Fact]
    public async Task AnInProcessRunIsRenderedFromItsOwnReport()
    {
        var report = await InProcessLoad.RunAsync(
            new InProcessSettings { RunId = "md-" + Guid.NewGuid().ToString("N")[..8], Touchpoints = 300, Customers = 30, Concurrency = 8 },
            _ => { },
            CancellationToken.None);

        var markdown = MarkdownReport.Render(InProcessCommand.ToJson(report), "c360-load inproc");

        Assert.Contains("### in-process, 2 silo(s), memory store, cold", markdown);
        Assert.Contains($"| runId | {report.Settings.RunId} |", markdown);
        Assert.Contains("| engine / ceiling |", markdown);
        Assert.Contains("| engine.calls | 300 |", markdown);
        Assert.Contains($"Started {report.StartedAt:O} on ", markdown);
    }

    [Theory]
    [InlineData("Host=db;Password=s3cret;Database=c", "Host=db;Password=***;Database=c")]
    [InlineData("host=db;PWD = s3cret", "host=db;PWD=***")]
    [InlineData("--touchpoints", "--touchpoints")]
    public void PasswordsInTheCommandLineAreMasked(string argument, string expected) =>
        Assert.Equal(expected, RunCommandLine.Mask(argument));

    [Fact]
    public void TheCommandLineIsQuotedForAShell()
    {
        var line = RunCommandLine.Describe(["ingest", "--postgres", "Host=db;Password=x y", "--store-label", "postgres 15, local", "--mix", "purchase=3,view=1"]);

        Assert.Equal("c360-load ingest --postgres 'Host=db;Password=***' --store-label 'postgres 15, local' --mix purchase=3,view=1", line);
    }
}

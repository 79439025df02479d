namespace Customer360.LoadTest.Tests;

/// <summary><c>c360-load ingest --read-recent</c>: how much history the agents' reads ask for.</summary>
public sealed class ReadRecentOptionTests
{
    [Fact]
    public void TheReadsCanAskForALighterView()
    {
        var parse = LoadTestApplication.Create().Parse(["ingest", "--reads-per-second", "500", "--read-recent", "0"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(0, parse.GetValue<int?>("--read-recent"));
        Assert.Null(LoadTestApplication.Create().Parse(["ingest", "--reads-per-second", "500"]).GetValue<int?>("--read-recent"));
    }

    [Fact]
    public void ANegativeCountIsRefused()
    {
        var parse = LoadTestApplication.Create().Parse(["ingest", "--read-recent", "-1"]);

        Assert.Contains(parse.Errors, e => e.Message.Contains("--read-recent must not be negative", StringComparison.Ordinal));
    }
}

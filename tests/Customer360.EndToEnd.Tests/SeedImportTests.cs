using System.Text.Json;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// The seed files, as the README tells a new user to load them, go in whole: every rule the API
/// adds must still take what the project's own generator wrote. A server of its own, because the
/// seeds' customer ids are fixed and the shared server's other tests must not see them.
/// </summary>
public sealed class SeedImportTests
{
    [Fact]
    public async Task TheSeedProfilesAndTouchpointsImportWithNothingRefused()
    {
        await using var server = await TestServer.StartAsync();
        var seeds = Path.Combine(CliProcess.RepositoryRoot(), "seeds");

        using var profiles = await ImportAsync(server, "import-profiles", Path.Combine(seeds, "profiles.jsonl"));
        using var touchpoints = await ImportAsync(server, "import", Path.Combine(seeds, "touchpoints.csv"));

        Assert.Equal((1_000, 0), (profiles.RootElement.GetProperty("accepted").GetInt32(), profiles.RootElement.GetProperty("rejected").GetInt32()));
        Assert.Equal((20_000L, 0L), (touchpoints.RootElement.GetProperty("accepted").GetInt64(), touchpoints.RootElement.GetProperty("rejected").GetInt64()));
    }

    private static async Task<JsonDocument> ImportAsync(TestServer server, string command, string file)
    {
        var (exitCode, output, error) = await CliProcess.RunAsync(command, file, "--server", server.Address.ToString(), "--json");
        Assert.True(exitCode == 0, $"c360 {command} exited with {exitCode}: {error}\n{output}");
        return JsonDocument.Parse(output);
    }
}

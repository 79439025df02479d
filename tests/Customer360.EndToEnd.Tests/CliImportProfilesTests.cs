using System.Text.Json;
using Customer360.Api.V1;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// <c>c360 import-profiles</c> as a process against the test server: a file imported again is
/// reported as unchanged, and a line that changes something is reported as upserted.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class CliImportProfilesTests(ServerFixture fixture)
{
    [Fact]
    public async Task AFileImportedAgainIsReportedUnchangedExceptWhatItChanges()
    {
        var ids = Enumerable.Range(1, 3).Select(_ => NewCustomerId("cli-profiles")).ToArray();
        var file = Path.Combine(Path.GetTempPath(), $"c360-profiles-{Guid.NewGuid():N}.jsonl");
        try
        {
            await File.WriteAllLinesAsync(file, ids.Select(id => Line(id, "Lovelace")));
            var first = await ImportAsync(file);
            var again = await ImportAsync(file);

            // One family name changed in the file; the others are as the server has them.
            await File.WriteAllLinesAsync(file, ids.Select((id, i) => Line(id, i == 1 ? "King" : "Lovelace")));
            var edited = await ImportAsync(file);

            Assert.Equal((3, 0, 0), first);
            Assert.Equal((0, 3, 0), again);
            Assert.Equal((1, 2, 0), edited);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AProfileLargerThanTheServerTakesIsReportedAgainstItsLineAndTheRestAreImported()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string?> { ["Customer360:Grpc:MaxMessageBytes"] = "1024" });
        var (small, large) = (NewCustomerId("cli-profiles"), NewCustomerId("cli-profiles"));
        var notes = string.Join(", ", Enumerable.Range(1, 4).Select(i => $$"""
            "note{{i}}": "{{new string('n', 400)}}"
            """));
        var file = Path.Combine(Path.GetTempPath(), $"c360-profiles-{Guid.NewGuid():N}.jsonl");
        try
        {
            await File.WriteAllLinesAsync(file, [
                $$"""{ "customerId": "{{large}}", "givenName": "Ada", "setAttributes": { {{notes}} } }""",
                Line(small, "Lovelace"),
            ]);
            var (exitCode, output, error) = await CliProcess.RunAsync(["import-profiles", file, "--server", server.Address.ToString(), "--json"]);

            Assert.True(exitCode == 3, $"c360 exited with {exitCode}: {error}\n{output}");
            using var tally = JsonDocument.Parse(output);
            var root = tally.RootElement;
            Assert.Equal((1, 0, 1), (root.GetProperty("accepted").GetInt32(), root.GetProperty("unchanged").GetInt32(), root.GetProperty("rejected").GetInt32()));
            var rejection = Assert.Single(root.GetProperty("rejections").EnumerateArray());
            Assert.Equal(1, rejection.GetProperty("line").GetInt32());
            Assert.StartsWith("request: the message is ", rejection.GetProperty("reason").GetString());
            Assert.Equal("Lovelace", (await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = small })).Profile.FamilyName);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AnImportStoppedByAnUnreachableServerStillReportsWhatItFound()
    {
        // A port nothing listens on.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var file = Path.Combine(Path.GetTempPath(), $"c360-profiles-{Guid.NewGuid():N}.jsonl");
        try
        {
            await File.WriteAllLinesAsync(file, ["{ not json", Line(NewCustomerId("cli-profiles"), "Lovelace")]);

            var (exitCode, output, error) = await CliProcess.RunAsync(["import-profiles", file, "--server", $"http://127.0.0.1:{port}", "--json"]);

            Assert.True(exitCode == 2, $"c360 exited with {exitCode}: {error}\n{output}");
            Assert.Contains("is the server running", error, StringComparison.Ordinal);
            using var tally = JsonDocument.Parse(output);
            var rejection = Assert.Single(tally.RootElement.GetProperty("rejections").EnumerateArray());
            Assert.Equal(1, rejection.GetProperty("line").GetInt32());
            Assert.Equal(0, tally.RootElement.GetProperty("accepted").GetInt32());
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string Line(string customerId, string familyName) =>
        $$"""{ "customerId": "{{customerId}}", "givenName": "Ada", "familyName": "{{familyName}}", "emails": { "values": [ "ada@example.org" ] } }""";

    private async Task<(int Upserted, int Unchanged, int Rejected)> ImportAsync(string file)
    {
        var (exitCode, output, error) = await CliProcess.RunAsync(
            ["import-profiles", file, "--server", fixture.Server.Address.ToString(), "--json"]);
        Assert.True(exitCode == 0, $"c360 exited with {exitCode}: {error}\n{output}");
        using var tally = JsonDocument.Parse(output);
        var root = tally.RootElement;
        return (root.GetProperty("accepted").GetInt32(), root.GetProperty("unchanged").GetInt32(), root.GetProperty("rejected").GetInt32());
    }
}

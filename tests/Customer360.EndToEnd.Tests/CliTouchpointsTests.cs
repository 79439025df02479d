using System.Text.Json;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary><c>c360 touchpoints</c> as a process against the test server.</summary>
[Collection(ServerCollection.Name)]
public sealed class CliTouchpointsTests(ServerFixture fixture)
{
    [Fact]
    public async Task AFilterOptionGivenTwiceMeansItOnce()
    {
        // The server refuses a filter value named twice; "--channel web --channel web" from a
        // person at a terminal (or a script that builds its options) still means web.
        var id = NewCustomerId("cli-touchpoints");
        await fixture.Server.Customers.RecordTouchpointAsync(Record(Purchase(id, 10m, DateTimeOffset.UtcNow.AddHours(-2), Api.V1.Channel.Web, eventId: "web-1")));
        await fixture.Server.Customers.RecordTouchpointAsync(Record(Purchase(id, 20m, DateTimeOffset.UtcNow.AddHours(-1), Api.V1.Channel.PointOfSale, eventId: "till-1")));

        var (exitCode, output, error) = await CliProcess.RunAsync(
            ["touchpoints", id, "--server", fixture.Server.Address.ToString(), "--json", "--channel", "web", "--channel", "web", "--kind", "purchase", "--kind", "purchase"]);

        Assert.True(exitCode == 0, $"c360 exited with {exitCode}: {error}\n{output}");
        using var page = JsonDocument.Parse(output);
        Assert.Equal(["web-1"], page.RootElement.GetProperty("touchpoints").EnumerateArray().Select(t => t.GetProperty("eventId").GetString()));
    }
}

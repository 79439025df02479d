using System.Text.Json;
using Customer360.Api.V1;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary><c>c360 get</c> as a process against the test server: the whole view, or a lighter one.</summary>
[Collection(ServerCollection.Name)]
public sealed class CliGetTests(ServerFixture fixture)
{
    [Fact]
    public async Task GetShowsAsManyRecentTouchpointsAsAsked()
    {
        var id = NewCustomerId("cli-get");
        for (var i = 1; i <= 3; i++)
        {
            await fixture.Server.Customers.RecordTouchpointAsync(Record(Purchase(id, 10m * i, DateTimeOffset.UtcNow.AddHours(-i), eventId: $"order-{i}")));
        }

        Assert.Equal(["order-1", "order-2", "order-3"], await RecentEventIdsAsync(id));
        Assert.Equal(["order-1"], await RecentEventIdsAsync(id, "--recent", "1"));
        Assert.Empty(await RecentEventIdsAsync(id, "--recent", "0"));
    }

    [Fact]
    public async Task AViewWithoutItsHistoryDoesNotClaimTheCustomerHasNoTouchpoints()
    {
        var id = NewCustomerId("cli-get");
        await fixture.Server.Customers.RecordTouchpointAsync(Record(Purchase(id, 10m)));
        var profileOnly = NewCustomerId("cli-get");
        await fixture.Server.Customers.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = profileOnly, GivenName = "Ada" });

        var withoutHistory = await TextAsync(id, "--recent", "0");
        var withHistory = await TextAsync(id);
        var never = await TextAsync(profileOnly);

        Assert.DoesNotContain("No touchpoints yet", withoutHistory);
        Assert.Contains("Recent touchpoints left out", withoutHistory);
        Assert.Contains("Recent touchpoints", withHistory);
        Assert.DoesNotContain("No touchpoints yet", withHistory);
        Assert.Contains("No touchpoints yet", never);
    }

    private async Task<string> TextAsync(string customerId, params string[] options)
    {
        var (exitCode, output, error) = await CliProcess.RunAsync(["get", customerId, "--server", fixture.Server.Address.ToString(), .. options]);
        Assert.True(exitCode == 0, $"c360 exited with {exitCode}: {error}\n{output}");
        return output;
    }

    private async Task<string[]> RecentEventIdsAsync(string customerId, params string[] options)
    {
        var (exitCode, output, error) = await CliProcess.RunAsync(
            ["get", customerId, "--server", fixture.Server.Address.ToString(), "--json", .. options]);
        Assert.True(exitCode == 0, $"c360 exited with {exitCode}: {error}\n{output}");
        using var view = JsonDocument.Parse(output);
        Assert.Equal("3", view.RootElement.GetProperty("version").GetString());
        return view.RootElement.TryGetProperty("recentTouchpoints", out var recent)
            ? [.. recent.EnumerateArray().Select(t => t.GetProperty("eventId").GetString()!)]
            : [];
    }
}

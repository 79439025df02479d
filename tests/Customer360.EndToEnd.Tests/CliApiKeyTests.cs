using System.Text.Json;
using Customer360.Api.V1;
using Customer360.Server.Security;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// <c>c360</c> as a process against a server that requires API keys: the key given with
/// --api-key is sent, a missing one is refused with a hint, and <c>c360 api-key new</c> prints
/// settings the server accepts for the key it prints.
/// </summary>
public sealed class CliApiKeyTests(KeyedServerFixture fixture) : IClassFixture<KeyedServerFixture>
{
    [Fact]
    public async Task TheKeyGivenIsSentAndAMissingOneIsRefusedWithAHint()
    {
        var id = NewCustomerId("cli-key");
        await fixture.Customers(KeyedServerFixture.TillKey).RecordTouchpointAsync(Record(Purchase(id, 12m)));
        var server = fixture.Server.Address.ToString();

        var (withKey, view, _) = await CliProcess.RunAsync("get", id, "--server", server, "--json", "--api-key", KeyedServerFixture.AgentKey);
        var (withoutKey, _, refusal) = await CliProcess.RunAsync("get", id, "--server", server, "--json");
        var (tillKey, _, denial) = await CliProcess.RunAsync("get", id, "--server", server, "--json", "--api-key", KeyedServerFixture.TillKey);

        Assert.Equal(0, withKey);
        using (var json = JsonDocument.Parse(view))
        {
            Assert.Equal(id, json.RootElement.GetProperty("customerId").GetString());
        }

        Assert.NotEqual(0, withoutKey);
        Assert.Contains("UNAUTHENTICATED", refusal, StringComparison.Ordinal);
        Assert.Contains("--api-key or $C360_API_KEY", refusal, StringComparison.Ordinal);
        Assert.NotEqual(0, tillKey);
        Assert.Contains("PERMISSION_DENIED", denial, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKeyInTheEnvironmentIsSentAndHelpNeverShowsIt()
    {
        var id = NewCustomerId("cli-env-key");
        await fixture.Customers(KeyedServerFixture.TillKey).RecordTouchpointAsync(Record(Purchase(id, 12m)));
        var environment = new Dictionary<string, string> { ["C360_API_KEY"] = KeyedServerFixture.AgentKey };
        var within = TimeSpan.FromMinutes(5);

        var (exitCode, view, error) = await CliProcess.RunAsync(environment, within, "get", id, "--server", fixture.Server.Address.ToString(), "--json");
        var (_, rootHelp, _) = await CliProcess.RunAsync(environment, within, "--help");
        var (_, getHelp, _) = await CliProcess.RunAsync(environment, within, "get", "--help");

        Assert.True(exitCode == 0, error);
        using (var json = JsonDocument.Parse(view))
        {
            Assert.Equal(id, json.RootElement.GetProperty("customerId").GetString());
        }

        // Help is shown on shared screens and kept in CI logs: it names the variable, never the key.
        Assert.Contains("$C360_API_KEY", getHelp, StringComparison.Ordinal);
        Assert.DoesNotContain(KeyedServerFixture.AgentKey, rootHelp, StringComparison.Ordinal);
        Assert.DoesNotContain(KeyedServerFixture.AgentKey, getHelp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANewKeyComesWithSettingsTheServerAccepts()
    {
        var (exitCode, output, error) = await CliProcess.RunAsync("api-key", "new", "--name", "store_7", "--roles", "till, Agent", "--json");
        var (bad, _, badRoles) = await CliProcess.RunAsync("api-key", "new", "--name", "x", "--roles", "cashier");

        Assert.True(exitCode == 0, error);
        using var json = JsonDocument.Parse(output);
        var key = json.RootElement.GetProperty("key").GetString()!;
        var options = new AuthOptions
        {
            Keys = { ["store_7"] = new ApiKeyOptions { Sha256 = json.RootElement.GetProperty("sha256").GetString()!, Roles = json.RootElement.GetProperty("roles").GetString()! } },
        };
        Assert.Null(ApiKeys.Validate(options, "0.0.0.0"));
        var caller = new ApiKeys(options).Find(key);
        Assert.Equal("store_7", caller?.Name);
        Assert.Equal(["agent", "till"], caller!.Roles.Order());
        Assert.Null(new ApiKeys(options).Find(key + "x"));
        Assert.NotEqual(0, bad);
        Assert.Contains("--roles: give one or more of till, agent, operator", badRoles, StringComparison.Ordinal);
    }
}

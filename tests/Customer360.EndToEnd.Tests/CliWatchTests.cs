using System.Diagnostics.Metrics;
using System.Text.Json;
using Customer360.Server.Grpc;
using Customer360.Server.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary><c>c360 watch</c> and <c>c360 segment --watch</c> as processes against a real server.</summary>
public sealed class CliWatchTests
{
    [Fact]
    public async Task AWatchWhoseServerVanishedWithoutClosingTheConnectionSaysSoAndKeepsTrying()
    {
        // The server's machine lost power, or the network between dropped the route: nothing
        // closes the connection, and a screen that waits on it would show a stale customer for
        // ever. The keep-alive pings find it out, and the screen says so.
        await using var server = await TestServer.StartAsync();
        var id = NewCustomerId("cli-watch");
        await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 10m)));
        await using var route = await SilentRoute.ToAsync(server.Address);
        var open = server.Services.GetRequiredService<OpenWatches>();

        await using var watch = CliProcess.Start("watch", id, "--server", route.Address.ToString());
        await watch.WaitForOutputAsync(line => line.Contains($"Customer {id} version 1", StringComparison.Ordinal));
        await SyntheticCustomers.WaitForAsync(() => Task.FromResult(open.Open == 1));
        route.GoSilent();

        // gRPC reports the unanswered pings as INTERNAL, with the transport's exception behind it.
        await watch.WaitForErrorAsync(line => line.StartsWith("watch interrupted: ", StringComparison.Ordinal));
        Assert.False(watch.HasExited, watch.Printed());
        Assert.Equal(0, await watch.StopAsync());
    }

    [Fact]
    public async Task AWatchRidesOutAServerRestartAndShowsEachChangeOnce()
    {
        var settings = await TestStores.SettingsAsync(TestStores.Sqlite, "cli-watch-" + Guid.NewGuid().ToString("N"));
        settings["Customer360:Storage:DataPath"] = TestServer.NewDataPath();
        var id = NewCustomerId("cli-watch");
        await using var server = await ServerProcess.StartAsync(settings);
        await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 10m)));

        await using var watch = CliProcess.Start("watch", id, "--server", server.Address.ToString());
        await watch.WaitForOutputAsync(line => line.Contains($"Customer {id} version 1", StringComparison.Ordinal));

        // The server crashes and is started again on the same port and store.
        server.Kill();
        await watch.WaitForErrorAsync(line => line.StartsWith("watch interrupted: UNAVAILABLE", StringComparison.Ordinal));
        await using var restarted = await ServerProcess.StartAsync(server.Settings.ToDictionary());
        await watch.WaitForErrorAsync(line => line.StartsWith("watch resumed: ", StringComparison.Ordinal));
        await restarted.Customers.RecordTouchpointAsync(Record(Purchase(id, 15m)));
        await watch.WaitForOutputAsync(line => line.Contains("touchpoints 1 -> 2", StringComparison.Ordinal));

        Assert.False(watch.HasExited, watch.Printed());
        Assert.Equal(0, await watch.StopAsync());
        // The view the watch opened again with (version 1 once more) is not shown again: the
        // whole view once, then the purchase after the restart as what changed.
        Assert.Single(watch.Output, line => line.Contains($"Customer {id} version", StringComparison.Ordinal));
        Assert.Equal(["version 2"], watch.Output.Where(line => line.StartsWith("version ", StringComparison.Ordinal)).Select(line => string.Join(' ', line.Split(' ')[..2])));
    }

    [Fact]
    public async Task ASegmentWatchRidesOutAServerRestartAndShowsEachChangeOnce()
    {
        var settings = await TestStores.SettingsAsync(TestStores.Sqlite, "cli-watch-" + Guid.NewGuid().ToString("N"));
        settings["Customer360:Storage:DataPath"] = TestServer.NewDataPath();
        await using var server = await ServerProcess.StartAsync(settings);
        await server.Customers.RecordTouchpointAsync(Record(Purchase(NewCustomerId("cli-watch"), 10m, channel: Api.V1.Channel.Web)));

        await using var watch = CliProcess.Start("segment", "channel:web", "--watch", "--json", "--server", server.Address.ToString());
        await watch.WaitForOutputAsync(line => MemberCount(line) == 1);

        server.Kill();
        await watch.WaitForErrorAsync(line => line.StartsWith("watch interrupted: UNAVAILABLE", StringComparison.Ordinal));
        await using var restarted = await ServerProcess.StartAsync(server.Settings.ToDictionary());
        await watch.WaitForErrorAsync(line => line.StartsWith("watch resumed: ", StringComparison.Ordinal));
        await restarted.Customers.RecordTouchpointAsync(Record(Purchase(NewCustomerId("cli-watch"), 15m, channel: Api.V1.Channel.Web)));
        await watch.WaitForOutputAsync(line => MemberCount(line) == 2);

        Assert.False(watch.HasExited, watch.Printed());
        Assert.Equal(0, await watch.StopAsync());
        // The segment loaded again after the restart has a new version but the same figures:
        // not news, so not shown again.
        Assert.Equal([1, 2], watch.Output.Select(MemberCount));
    }

    [Fact]
    public async Task AWatchOfAnUnknownCustomerEndsAtOnceWithNotFound()
    {
        await using var server = await TestServer.StartAsync();

        var (exitCode, output, error) = await CliProcess.RunAsync("watch", NewCustomerId("cli-watch-unknown"), "--server", server.Address.ToString());

        Assert.True(exitCode == 2, $"c360 exited with {exitCode}: {error}\n{output}");
        Assert.StartsWith("error: NOT_FOUND (5)", error);
        Assert.DoesNotContain("watch interrupted", error);
    }

    [Fact]
    public async Task AWatchWhoseKeyIsRemovedEndsAtOnceWithUnauthenticated()
    {
        // Retrying would be refused for ever: the watch ends as any call refused would.
        const string OldKey = "cli-watch-old-3b7e";
        var server = await TestServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Customer360:Auth:Keys:screens:Sha256"] = ApiKeys.DigestOf(OldKey),
            ["Customer360:Auth:Keys:screens:Roles"] = "operator",
        });
        await using var stopping = server;
        var settings = (IConfigurationRoot)server.Services.GetRequiredService<IConfiguration>();
        var id = NewCustomerId("cli-watch");
        await KeyedServerFixture.CustomersWith(server, OldKey).RecordTouchpointAsync(Record(Purchase(id, 10m)));
        await using var watch = CliProcess.Start("watch", id, "--server", server.Address.ToString(), "--api-key", OldKey);
        await watch.WaitForOutputAsync(line => line.Contains($"Customer {id} version 1", StringComparison.Ordinal));

        settings["Customer360:Auth:Keys:screens:Sha256"] = ApiKeys.DigestOf("cli-watch-new-90c4");
        settings.Reload();

        Assert.Equal(2, await watch.WaitForExitAsync());
        Assert.StartsWith("error: UNAUTHENTICATED (16): authorization: the API key this stream was opened with has been removed", string.Join('\n', watch.Error));
        Assert.DoesNotContain(watch.Error, line => line.StartsWith("watch interrupted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AWatchRefusedForNowAsItReconnectsWaitsItsTurnAndResumes()
    {
        // After an outage every screen reconnects at once, and a server may refuse some for a
        // while (RESOURCE_EXHAUSTED: a key's rate limit, or MaxWatches). Giving up would leave
        // the screen dark until someone notices; the watch waits its turn instead.
        const string ScreenKey = "cli-watch-screens-5d1e";
        const string FeedKey = "cli-watch-feeds-77a0";
        var server = await TestServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Customer360:Auth:Keys:screens:Sha256"] = ApiKeys.DigestOf(ScreenKey),
            ["Customer360:Auth:Keys:screens:Roles"] = "agent",
            // One call, then one each 1,000 s: opening the watch takes the only token.
            ["Customer360:Auth:Keys:screens:RatePerSecond"] = "0.001",
            ["Customer360:Auth:Keys:feeds:Sha256"] = ApiKeys.DigestOf(FeedKey),
            ["Customer360:Auth:Keys:feeds:Roles"] = "operator",
        });
        await using var stopping = server;
        var settings = (IConfigurationRoot)server.Services.GetRequiredService<IConfiguration>();
        using var metrics = new MetricsTests.EngineMeasurements(server.Services.GetRequiredService<IMeterFactory>());
        var feeds = KeyedServerFixture.CustomersWith(server, FeedKey);
        var id = NewCustomerId("cli-watch");
        await feeds.RecordTouchpointAsync(Record(Purchase(id, 10m)));
        await using var route = CuttableRoute.To(server.Address);

        await using var watch = CliProcess.Start("watch", id, "--server", route.Address.ToString(), "--api-key", ScreenKey);
        await watch.WaitForOutputAsync(line => line.Contains($"Customer {id} version 1", StringComparison.Ordinal));
        route.CutAll();
        await watch.WaitForErrorAsync(line => line.StartsWith("watch interrupted: ", StringComparison.Ordinal));

        // Reconnected, it is refused for the key's rate, and keeps trying.
        await SyntheticCustomers.WaitForAsync(
            () => Task.FromResult(metrics.ByTag("customer360.api.refused", count: true).GetValueOrDefault("resource_exhausted") > 0),
            explain: watch.Printed);
        Assert.False(watch.HasExited, watch.Printed());

        // Once the limit is lifted, its next try gets through, and it shows what changes.
        settings["Customer360:Auth:Keys:screens:RatePerSecond"] = null;
        settings.Reload();
        await watch.WaitForErrorAsync(line => line.StartsWith("watch resumed: ", StringComparison.Ordinal));
        await feeds.RecordTouchpointAsync(Record(Purchase(id, 15m)));
        await watch.WaitForOutputAsync(line => line.Contains("touchpoints 1 -> 2", StringComparison.Ordinal));

        Assert.Equal(0, await watch.StopAsync());
        Assert.DoesNotContain(watch.Error, line => line.StartsWith("error", StringComparison.Ordinal));
    }

    private static long MemberCount(string jsonLine)
    {
        using var segment = JsonDocument.Parse(jsonLine);
        return long.Parse(segment.RootElement.GetProperty("memberCount").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }
}

using Customer360.LoadTest.Ingest;
using Customer360.LoadTest.Reporting;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// <c>ingest --server A,B,...</c>: the tills' streams, the agents' reads, the screens' watches and
/// the dashboard's segments are spread over every address given, and the final check reads
/// customers through each address in turn.
/// </summary>
public sealed class SeveralServersTests
{
    [Fact]
    public void ACommaSeparatedListGivesEveryAddressInOrder()
    {
        var servers = IngestCommand.ParseServers(" http://127.0.0.1:5360 ,http://127.0.0.1:5361");

        Assert.Equal([new Uri("http://127.0.0.1:5360"), new Uri("http://127.0.0.1:5361")], servers);
        Assert.Throws<ArgumentException>(() => IngestCommand.ParseServers(" , "));
        Assert.Throws<ArgumentException>(() => IngestCommand.ParseServers("http://127.0.0.1:5360,ftp://x"));
    }

    [Fact]
    public async Task StreamsAreSpreadOverEveryAddressAndEachAcknowledgesItsShare()
    {
        await using var server = await LoopbackServer.StartAsync();
        var settings = EngineOnlySettings.For(server.Address, "several") with
        {
            // Two channels to the one server: the tool cannot tell them from two silos' endpoints.
            OtherServers = [server.Address],
            Touchpoints = 800,
            Customers = 80,
            Seed = 9,
        };

        var report = await new IngestBenchmark(settings, _ => { }).RunAsync(CancellationToken.None);

        Assert.True(report.Engine.Clean, string.Join("; ", report.Engine.Problems));
        Assert.True(report.Verification?.Passed);
        Assert.Equal(2, report.Engine.AcknowledgedByEndpoint.Count);
        Assert.All(report.Engine.AcknowledgedByEndpoint, acks => Assert.True(acks > 0));
        Assert.Equal(800, report.Engine.AcknowledgedByEndpoint.Sum());
        Assert.Equal($"{server.Address}, {server.Address}", report.Server);
        Assert.Equal(2, ReportJson.ToJson(report)["engine"]!["acknowledgedByEndpoint"]!.AsArray().Count);
    }

    [Fact]
    public async Task WatchesAndTheDashboardAreSpreadOverEveryAddressToo()
    {
        await using var server = await LoopbackServer.StartAsync();
        var settings = EngineOnlySettings.For(server.Address, "several-watch") with
        {
            OtherServers = [server.Address],
            Touchpoints = 600,
            Customers = 20,
            Seed = 5,
            Rate = 1_000,
            Watchers = 4,
            Dashboard = true,
        };

        var report = await new IngestBenchmark(settings, _ => { }).RunAsync(CancellationToken.None);

        Assert.True(report.Engine.Clean, string.Join("; ", report.Engine.Problems));
        var mixed = Assert.IsType<Engine.MixedWorkloadResult>(report.Mixed);
        Assert.True(mixed.Clean);

        // Every watch's first view comes through its own address, so both addresses carry views.
        var watch = Assert.IsType<Engine.WatchResult>(mixed.Watch);
        Assert.Equal(2, watch.ViewsByEndpoint.Count);
        Assert.All(watch.ViewsByEndpoint, views => Assert.True(views > 0));
        Assert.Equal(watch.Views, watch.ViewsByEndpoint.Sum());

        var dashboard = Assert.IsType<Engine.DashboardResult>(mixed.Dashboard);
        Assert.Equal(2, dashboard.UpdatesByEndpoint.Count);
        Assert.All(dashboard.UpdatesByEndpoint, updates => Assert.True(updates > 0));
        Assert.Equal(dashboard.Updates, dashboard.UpdatesByEndpoint.Sum());

        var json = ReportJson.ToJson(report)["mixedWorkload"]!;
        Assert.Equal(2, json["watch"]!["viewsByEndpoint"]!.AsArray().Count);
        Assert.Equal(2, json["dashboard"]!["updatesByEndpoint"]!.AsArray().Count);
    }
}

using Customer360.Contracts.Segments;
using Customer360.Grains.Configuration;
using Customer360.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// A segment remembers that a customer is not its member for
/// <see cref="Customer360Options.SegmentLateUpdateWindow"/>, so that an older update of that
/// customer, arriving late from another silo's buffer, cannot make it a member; and no longer,
/// so that what it remembers stays bounded. Each test runs its own server, with segments of its
/// own; those that see the window pass set a short one and wait it out (the server's clock is
/// also the cluster's, which must not be moved under a running silo).
/// </summary>
public sealed class SegmentLateUpdateTests
{
    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task ALeaveIsForgottenOnceTheWindowHasPassedAndNoLongerStored(string store)
    {
        var dataPath = TestServer.NewDataPath();
        var settings = await TestStores.SettingsAsync(store, "late-leave-" + Guid.NewGuid().ToString("N"));
        foreach (var (key, value) in ShortWindow)
        {
            settings[key] = value;
        }

        var segmentId = $"test:{Guid.NewGuid():N}";
        SegmentFigures after;
        await using (var server = await TestServer.StartAsync(dataPath, settings))
        {
            var segment = Grains(server).GetGrain<ISegmentGrain>(segmentId);
            await segment.ApplyAsync([new SegmentUpdate("stays", 1, true, 10m, 10m), new SegmentUpdate("leaver", 1, true, 20m, 20m)]);
            await segment.ApplyAsync([new SegmentUpdate("leaver", 3, false, 0m, 0m, WasMember: true), new SegmentUpdate("mover", 6, false, 0m, 0m, WasMember: true)]);
            await segment.PersistAsync();
            await Task.Delay(Window + TimeSpan.FromMilliseconds(500));

            // The leaves are forgotten: an update as old as those they kept out is taken (what
            // the window does not cover). A leave recorded in the same batch keeps its join out.
            await segment.ApplyAsync(
            [
                new SegmentUpdate("fresh", 3, false, 0m, 0m, WasMember: true),
                new SegmentUpdate("fresh", 2, true, 30m, 30m),
                new SegmentUpdate("leaver", 2, true, 25m, 25m),
            ]);
            await segment.PersistAsync();
            after = await segment.GetAsync(10);
            Assert.Equal((2L, 35m), Figures(after));
        }

        // The forgotten leaves left the store with them; the figures are as they were.
        await using (var restarted = await TestServer.StartAsync(dataPath, settings))
        {
            Assert.Equal((2L, 35m), Figures(await Grains(restarted).GetGrain<ISegmentGrain>(segmentId).GetAsync(10)));
            var stored = await restarted.Services.GetRequiredService<ISegmentStore>().OpenSegmentAsync(segmentId);
            Assert.Equal(
                [("fresh", false), ("leaver", true), ("stays", true)],
                stored.Members.Select(m => (m.CustomerId, m.Entry.IsMember)));
        }
    }

    [Fact]
    public async Task ANonMemberReStatementKeepsALateJoinOutForTheWindowOnly()
    {
        await using var server = await TestServer.StartAsync(settings: ShortWindow);
        var segment = Grains(server).GetGrain<ISegmentGrain>($"test:{Guid.NewGuid():N}");
        await segment.ApplyAsync([new SegmentUpdate("early", 6, false, 0m, 0m)]);
        await Task.Delay(Window + TimeSpan.FromMilliseconds(500));

        // In one batch, so that "late" is stated within the window of its join: the join made
        // before its re-statement stays out, while that of "early", re-stated longer ago than
        // the window, is taken as its newest (what the window does not cover).
        await segment.ApplyAsync(
        [
            new SegmentUpdate("late", 6, false, 0m, 0m),
            new SegmentUpdate("late", 5, true, 50m, 50m),
            new SegmentUpdate("early", 5, true, 70m, 70m),
        ]);

        var figures = await segment.GetAsync(10);
        Assert.Equal((1L, 70m), Figures(figures));
        Assert.Equal("early", Assert.Single(figures.TopMembers).CustomerId);
    }

    [Fact]
    public async Task ASegmentRemembersAtMostTheLimitOfNonMembersItNeverHad()
    {
        const int limit = 1_000;
        var settings = new Dictionary<string, string?> { ["Customer360:SegmentNonMemberLimit"] = $"{limit}" };
        await using var server = await TestServer.StartAsync(settings: settings);
        var segment = Grains(server).GetGrain<ISegmentGrain>($"test:{Guid.NewGuid():N}");

        // A sweep's worth of re-statements, 10 beyond the limit: the 10 oldest are forgotten.
        var restated = Enumerable.Range(0, limit + 10).Select(i => $"r-{i:D4}").ToArray();
        foreach (var page in restated.Chunk(300))
        {
            await segment.ApplyAsync([.. page.Select(id => new SegmentUpdate(id, 2, false, 0m, 0m))]);
        }

        await segment.ApplyAsync([.. restated.Select(id => new SegmentUpdate(id, 1, true, 1m, 1m))]);
        var figures = await segment.GetAsync(100);
        Assert.Equal(10, figures.MemberCount);
        Assert.Equal(restated.Take(10), figures.TopMembers.Select(m => m.CustomerId).Order(StringComparer.Ordinal));
    }

    // A window a test can wait out; the settings it must not be shorter than, shorter still.
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    private static Dictionary<string, string?> ShortWindow => new()
    {
        ["Customer360:SegmentLateUpdateWindow"] = "00:00:01",
        ["Customer360:SegmentRecoveryWindowOnSiloLoss"] = "00:00:00.500",
        ["Customer360:SegmentCheckpointLag"] = "00:00:00.200",
    };

    private static (long Count, decimal NetSpend) Figures(SegmentFigures figures) => (figures.MemberCount, figures.TotalNetSpend);

    private static IGrainFactory Grains(TestServer server) => server.Services.GetRequiredService<IGrainFactory>();
}

using Customer360.Contracts.Segments;
using Customer360.Grains.Configuration;
using Customer360.Grains.Segments;
using Customer360.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Segments keep their members in the segment tables of the server's store. Each test runs its
/// own server on each store, on a segment of its own, and restarts it.
/// </summary>
public sealed class SegmentStorageTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task SegmentFiguresAreTheSameAfterARestart(string store)
    {
        var dataPath = TestServer.NewDataPath();
        var settings = await TestStores.SettingsAsync(store, "segment-restart-" + Guid.NewGuid().ToString("N"));
        var segmentId = $"test:{Guid.NewGuid():N}";
        SegmentFigures before;
        await using (var server = await TestServer.StartAsync(dataPath, settings))
        {
            var segment = Grains(server).GetGrain<ISegmentGrain>(segmentId);
            await segment.ApplyAsync([.. Enumerable.Range(0, 500).Select(i => new SegmentUpdate($"c-{i:D3}", 1, true, i + 0.01m, (i * 7 % 500) + 0.5m))]);
            await segment.PersistAsync();

            // Leaves, moves, a rescore and a remembered leave, written in writes of their own.
            await segment.ApplyAsync([.. Enumerable.Range(0, 50).Select(i => new SegmentUpdate($"c-{i * 10:D3}", 2, false, 0m, 0m, WasMember: true))]);
            await segment.PersistAsync();
            await segment.ApplyAsync(
            [
                new SegmentUpdate("c-001", 3, true, 123456.78m, 999.99m),
                new SegmentUpdate("c-002", 1, true, 2.01m, 0.03m, ScoreRevision: 1),
                new SegmentUpdate("late", 9, false, 0m, 0m, WasMember: true),
            ]);

            // The last change is written when the server stops.
            before = await segment.GetAsync(SegmentGrain.MaxTop);
            Assert.Equal(450, before.MemberCount);
        }

        await using (var restarted = await TestServer.StartAsync(dataPath, settings))
        {
            var segment = Grains(restarted).GetGrain<ISegmentGrain>(segmentId);
            AssertSameFigures(before, await segment.GetAsync(SegmentGrain.MaxTop));

            // Leaves were remembered: older joins arriving now change nothing.
            await segment.ApplyAsync([new SegmentUpdate("c-010", 1, true, 1m, 1m), new SegmentUpdate("late", 8, true, 1m, 1m)]);
            AssertSameFigures(before, await segment.GetAsync(SegmentGrain.MaxTop));
        }
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task ASegmentWrittenByAnEarlierVersionMovesToTheSegmentTables(string store)
    {
        var dataPath = TestServer.NewDataPath();
        var settings = await TestStores.SettingsAsync(store, "segment-upgrade-" + Guid.NewGuid().ToString("N"));
        var segmentId = $"test:{Guid.NewGuid():N}";
        var earlier = new SegmentGrainState { Version = 17, UpdatedAt = At };
        for (var i = 0; i < 300; i++)
        {
            earlier.Members[$"c-{i:D3}"] = new MemberEntry(i + 1, i % 3 != 0, i + 0.25m, i * 2m, i % 2);
        }

        var members = earlier.Members.Where(m => m.Value.IsMember).ToList();
        SegmentFigures moved;
        await using (var server = await TestServer.StartAsync(dataPath, settings))
        {
            // What an earlier version left: every member in the segment's Orleans grain state.
            var storage = server.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Store);
            var grainId = Grains(server).GetGrain<ISegmentGrain>(segmentId).GetGrainId();
            await storage.WriteStateAsync(StorageNames.SegmentState, grainId, new GrainState<SegmentGrainState>(earlier));

            moved = await Grains(server).GetGrain<ISegmentGrain>(segmentId).GetAsync(SegmentGrain.MaxTop);
            Assert.Equal(members.Count, moved.MemberCount);
            Assert.Equal(members.Sum(m => m.Value.NetSpend), moved.TotalNetSpend);
            Assert.Equal(members.Sum(m => m.Value.ValueScore), moved.TotalValueScore);
            // Loaded again, the version may move on (never back); the figures stay as they were.
            Assert.True(moved.Version >= 17, $"version {moved.Version} after 17");
            Assert.Equal(At, moved.UpdatedAt);

            // Every entry, leaves included, is in the segment tables, and the grain state is
            // empty. (Opening the segment here takes it from the grain, which has nothing left to write.)
            var stored = await server.Services.GetRequiredService<ISegmentStore>().OpenSegmentAsync(segmentId);
            Assert.False(stored.HasEarlierRows);
            Assert.Equal(new SegmentHeader(moved.Version, At), stored.Header);
            Assert.Equal(earlier.Members.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new SegmentMemberRow(m.Key, m.Value)), stored.Members);
            var left = new GrainState<SegmentGrainState>(new SegmentGrainState());
            await storage.ReadStateAsync(StorageNames.SegmentState, grainId, left);
            Assert.Empty(left.State?.Members ?? []);
        }

        await using (var restarted = await TestServer.StartAsync(dataPath, settings))
        {
            // Read from the segment tables now; a remembered leave still holds.
            var segment = Grains(restarted).GetGrain<ISegmentGrain>(segmentId);
            AssertSameFigures(moved, await segment.GetAsync(SegmentGrain.MaxTop));
            await segment.ApplyAsync([new SegmentUpdate("c-000", 1, true, 1000m, 1000m)]);
            AssertSameFigures(moved, await segment.GetAsync(SegmentGrain.MaxTop));
        }
    }

    private static IGrainFactory Grains(TestServer server) => server.Services.GetRequiredService<IGrainFactory>();

    private static void AssertSameFigures(SegmentFigures expected, SegmentFigures actual)
    {
        Assert.Equal(
            (expected.MemberCount, expected.TotalNetSpend, expected.TotalValueScore, expected.MeanValueScore, expected.UpdatedAt),
            (actual.MemberCount, actual.TotalNetSpend, actual.TotalValueScore, actual.MeanValueScore, actual.UpdatedAt));
        Assert.Equal(expected.TopMembers, actual.TopMembers);
        Assert.True(actual.Version >= expected.Version, $"version {actual.Version} after {expected.Version}");
    }
}

using Customer360.Api.V1;
using Google.Protobuf.WellKnownTypes;
using static Customer360.EndToEnd.Tests.SyntheticCustomers;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// After a refit, the re-scoring sweep brings every customer, with or without new touchpoints,
/// to the new model, and segment figures are exact again when it ends. Each test runs on a
/// server of its own, whose customers are all its own.
/// </summary>
public sealed class RescoringSweepTests
{
    private const int CustomerCount = 300;

    // A sweep slow enough to be caught part-way.
    private const int SlowRate = 20;
    private const int SlowPage = 5;

    [Fact]
    public async Task EveryCustomerTakesEachNewModelWithoutANewTouchpointAndSegmentsAreExactAfterTheSweep()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Customer360:ValueModel:RefreshInterval"] = "00:00:00.250",
        });
        var prefix = "sweep-" + Guid.NewGuid().ToString("N")[..8];
        var end = DateTimeOffset.UtcNow.AddDays(-1);
        await StreamAllAsync(server.Customers, Purchases(prefix, CustomerCount, end, observationWeeks: 40, seed: 21));
        var ids = Enumerable.Range(0, CustomerCount).Select(i => $"{prefix}-{i}").ToArray();

        // Two fits on different calibration ends make two different models.
        for (var version = 1; version <= 2; version++)
        {
            var fitted = await server.ValueModels.FitValueModelAsync(new FitValueModelRequest
            {
                CalibrationEnd = Timestamp.FromDateTimeOffset(end.AddDays(version == 1 ? -70 : 0)),
            });
            Assert.Equal(version, fitted.Version);

            var sweep = await SweptAsync(server.ValueModels, version);
            Assert.Equal(CustomerCount, sweep.Customers);
            Assert.Equal(CustomerCount, sweep.Visited);
            Assert.Equal(CustomerCount, sweep.Rescored);
            Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd"), sweep.Day);
            Assert.Equal(ids.Max(StringComparer.Ordinal), sweep.Cursor);

            // Reads only: no customer has changed since it was ingested.
            var views = await Task.WhenAll(ids.Select(async id => await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id })));
            Assert.All(views, v => Assert.Equal(version, v.Value.ModelVersion));
            Assert.All(views, v => Assert.Equal($"clv-bgnbd-gg/v{version}", v.Value.Model));
            await AssertTierSegmentsMatchAsync(server, views);
        }
    }

    [Fact]
    public async Task OnANewDayEveryCustomerIsRescoredAsOfThatDayWithoutANewTouchpoint()
    {
        var clock = new ShiftedClock();
        await using var server = await TestServer.StartAsync(
            settings: new Dictionary<string, string?>
            {
                ["Customer360:ValueModel:RefreshInterval"] = "00:00:00.250",
                // No scheduled refit in the month that passes: the day alone starts the sweep.
                ["Customer360:ValueModel:FitInterval"] = "365.00:00:00",
            },
            clock: clock);
        var prefix = "day-" + Guid.NewGuid().ToString("N")[..8];
        await StreamAllAsync(server.Customers, Purchases(prefix, CustomerCount, DateTimeOffset.UtcNow.AddDays(-1), observationWeeks: 40, seed: 23));
        var ids = Enumerable.Range(0, CustomerCount).Select(i => $"{prefix}-{i}").ToArray();
        await server.ValueModels.FitValueModelAsync(new FitValueModelRequest());
        var today = await SweptAsync(server.ValueModels, version: 1);
        var before = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = ids[0] });
        using var watch = server.Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = ids[0] });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(before.Value.ComputedAt, watch.ResponseStream.Current.Value.ComputedAt);

        // Thirty days pass with no touchpoint and no new model.
        clock.Offset = TimeSpan.FromDays(30);
        var later = DateOnly.ParseExact(today.Day, "yyyy-MM-dd").AddDays(30).ToString("yyyy-MM-dd");
        RescoringSweep? sweep = null;
        await WaitForAsync(async () =>
        {
            sweep = (await server.ValueModels.GetValueModelAsync(new GetValueModelRequest())).Sweep;
            return sweep.Day == later && sweep.CompletedAt is not null;
        });

        Assert.Equal(1, sweep!.ModelVersion);
        Assert.Equal(CustomerCount, sweep.Rescored);
        var views = await Task.WhenAll(ids.Select(async id => await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id })));
        Assert.All(views, v => Assert.Equal(later, v.Value.ComputedAt.ToDateTimeOffset().ToString("yyyy-MM-dd")));
        var after = views[0];
        Assert.Equal(before.Version, after.Version);

        // A watcher of the customer is sent the rescored view, at the same version.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.True(await watch.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(after.Version, watch.ResponseStream.Current.Version);
        Assert.Equal(after.Value.Score, watch.ResponseStream.Current.Value.Score);
        Assert.Equal(later, watch.ResponseStream.Current.Value.ComputedAt.ToDateTimeOffset().ToString("yyyy-MM-dd"));
        Assert.True(
            after.Value.Figures.ProbabilityAlive < before.Value.Figures.ProbabilityAlive || after.Value.Figures.ProbabilityAlive == 1,
            $"P(alive) {before.Value.Figures.ProbabilityAlive} -> {after.Value.Figures.ProbabilityAlive} after 30 silent days");
        Assert.True(
            after.Value.Figures.ExpectedPurchases12Months < before.Value.Figures.ExpectedPurchases12Months,
            $"expected purchases {before.Value.Figures.ExpectedPurchases12Months} -> {after.Value.Figures.ExpectedPurchases12Months} after 30 silent days");
        await AssertTierSegmentsMatchAsync(server, views);
    }

    [Fact]
    public async Task ACustomerInMemoryReadOnANewDayIsScoredAsOfThatDayBeforeAnySweep()
    {
        var clock = new ShiftedClock();
        await using var server = await TestServer.StartAsync(
            settings: new Dictionary<string, string?>
            {
                // The value model service looks at the day (and the schedule) once an hour: in
                // this test no sweep for the new day starts, so only the read can rescore.
                ["Customer360:ValueModel:RefreshInterval"] = "01:00:00",
                ["Customer360:ValueModel:FitInterval"] = "365.00:00:00",
            },
            clock: clock);
        var prefix = "read-" + Guid.NewGuid().ToString("N")[..8];
        await StreamAllAsync(server.Customers, Purchases(prefix, CustomerCount, DateTimeOffset.UtcNow.AddDays(-1), observationWeeks: 40, seed: 24));
        var ids = Enumerable.Range(0, CustomerCount).Select(i => $"{prefix}-{i}").ToArray();
        await server.ValueModels.FitValueModelAsync(new FitValueModelRequest());
        var today = await SweptAsync(server.ValueModels, version: 1);

        // Read once: every customer is in memory, scored as of today.
        var before = await Task.WhenAll(ids.Select(async id => await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id })));
        Assert.All(before, v => Assert.Equal(today.Day, v.Value.ComputedAt.ToDateTimeOffset().ToString("yyyy-MM-dd")));

        clock.Offset = TimeSpan.FromDays(30);
        var later = DateOnly.ParseExact(today.Day, "yyyy-MM-dd").AddDays(30).ToString("yyyy-MM-dd");
        var after = await Task.WhenAll(ids.Select(async id => await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id })));

        Assert.Equal(today.Day, (await server.ValueModels.GetValueModelAsync(new GetValueModelRequest())).Sweep.Day);
        // The score is as of the day of the read, as the inputs shown next to it are.
        Assert.All(after, v => Assert.Equal(later, v.Value.ComputedAt.ToDateTimeOffset().ToString("yyyy-MM-dd")));
        Assert.All(after, v => Assert.Equal(before.Single(b => b.CustomerId == v.CustomerId).Version, v.Version));
        var (then, now) = (before[0].Value.Figures, after[0].Value.Figures);
        Assert.True(
            now.ExpectedPurchases12Months < then.ExpectedPurchases12Months,
            $"expected purchases {then.ExpectedPurchases12Months} -> {now.ExpectedPurchases12Months} after 30 silent days");
        await AssertTierSegmentsMatchAsync(server, after);
    }

    [Fact]
    public async Task AKilledServerResumesTheSweepWhereItStopped()
    {
        var settings = await TestStores.SettingsAsync(TestStores.Sqlite, "sweep-" + Guid.NewGuid().ToString("N"));
        settings["Customer360:Storage:DataPath"] = TestServer.NewDataPath();
        settings["Customer360:ValueModel:RefreshInterval"] = "00:00:00.250";
        settings["Customer360:ValueModel:SweepRate"] = SlowRate.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Customer360:ValueModel:SweepPageSize"] = SlowPage.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var prefix = "resume-" + Guid.NewGuid().ToString("N")[..8];
        var end = DateTimeOffset.UtcNow.AddDays(-1);

        RescoringSweep beforeKill;
        IReadOnlyDictionary<string, string?> used;
        await using (var server = await ServerProcess.StartAsync(settings))
        {
            await StreamAllAsync(server.Customers, Purchases(prefix, CustomerCount, end, observationWeeks: 40, seed: 22));
            Assert.Equal(1, (await server.ValueModels.FitValueModelAsync(new FitValueModelRequest())).Version);

            // At 20 customers a second the sweep takes fifteen seconds: kill it early on.
            await WaitForAsync(async () => (await server.ValueModels.GetValueModelAsync(new GetValueModelRequest())).Sweep.Visited >= 40);
            server.Kill();
            used = server.Settings;
        }

        await using var restarted = await ServerProcess.StartAsync(used.ToDictionary());
        beforeKill = (await restarted.ValueModels.GetValueModelAsync(new GetValueModelRequest())).Sweep;

        // The stored progress: part of the way, cursor and all.
        Assert.Equal(1, beforeKill.ModelVersion);
        Assert.InRange(beforeKill.Visited, 1, CustomerCount - 1);
        Assert.NotEmpty(beforeKill.Cursor);

        var done = await SweptAsync(restarted.ValueModels, version: 1);
        Assert.Equal(beforeKill.StartedAt, done.StartedAt);
        Assert.Equal(CustomerCount, done.Customers);

        // Resumed, not started over: at most what was reached after the last stored progress
        // (stored every second) is redone.
        Assert.InRange(done.Visited, CustomerCount, CustomerCount + SlowRate + SlowPage);
        var views = await Task.WhenAll(Enumerable.Range(0, CustomerCount).Select(async i =>
            await restarted.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = $"{prefix}-{i}" })));
        Assert.All(views, v => Assert.Equal(1, v.Value.ModelVersion));
        await AssertTierSegmentsMatchAsync(restarted.Segments, views);
    }

    private static Task AssertTierSegmentsMatchAsync(TestServer server, IReadOnlyList<CustomerView> views) =>
        AssertTierSegmentsMatchAsync(server.Segments, views);

    /// <summary>Each tier segment's count and value total equal those of the views, once the silos' buffers are flushed.</summary>
    private static async Task AssertTierSegmentsMatchAsync(SegmentService.SegmentServiceClient segments, IReadOnlyList<CustomerView> views)
    {
        string? mismatch = null;
        await WaitForAsync(async () =>
        {
            mismatch = null;
            foreach (var tier in new[] { ValueTier.Platinum, ValueTier.Gold, ValueTier.Silver, ValueTier.Bronze })
            {
                var members = views.Where(v => v.Value.Tier == tier).ToArray();
                var id = "tier:" + tier.ToString().ToLowerInvariant();
                var figures = await segments.GetSegmentAsync(new GetSegmentRequest { SegmentId = id });
                var expected = members.Sum(m => Money(m.Value.Score));
                if (figures.MemberCount != members.Length || Money(figures.TotalValueScore) != expected)
                {
                    mismatch = $"{id}: {figures.MemberCount} members worth {figures.TotalValueScore.Amount}, views say {members.Length} worth {expected}";
                    return false;
                }
            }

            return true;
        },
        explain: () => mismatch);
    }

    /// <summary>The system clock moved by <see cref="Offset"/>; timers run at the real rate.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }
}

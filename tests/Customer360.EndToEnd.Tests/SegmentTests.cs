using Customer360.Api.V1;
using Grpc.Core;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>Segments follow customers exactly; each test has a server of its own so figures are its alone.</summary>
public sealed class SegmentTests
{
    [Fact]
    public async Task SegmentFiguresEqualRecomputedSumsAfterConcurrentLoad()
    {
        await using var server = await TestServer.StartAsync();
        var random = new Random(2026);
        var ids = Enumerable.Range(0, 2000).Select(i => $"seg-{i:D5}").ToArray();
        Channel[] channels = [Channel.PointOfSale, Channel.Web, Channel.MobileApp, Channel.CallCentre, Channel.Email];

        // Two waves, so that many customers change tier and preferred channel between them.
        for (var wave = 0; wave < 2; wave++)
        {
            var touchpoints = ids.SelectMany(id => Enumerable.Range(0, 1 + random.Next(4)).Select(_ =>
            {
                var channel = channels[random.Next(channels.Length)];
                return random.Next(3) == 0
                    ? Contact(id, TouchpointKind.Visit, channel)
                    : Purchase(id, Math.Round((decimal)(random.NextDouble() * random.NextDouble() * 3000), 2), channel: channel);
            })).OrderBy(_ => random.Next()).ToArray();

            // Eight tills stream concurrently.
            await Task.WhenAll(touchpoints.Chunk((touchpoints.Length / 8) + 1).Select(chunk => StreamAllAsync(server, chunk)));
        }

        var views = await Task.WhenAll(ids.Select(id => server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }).ResponseAsync));
        var segments = await Converged.SegmentsAsync(server, views);

        Assert.Equal(ids.Length, segments.Segments.Where(s => s.Dimension == "tier").Sum(s => s.MemberCount));
        Assert.Equal(ids.Length, segments.Segments.Where(s => s.Dimension == "channel").Sum(s => s.MemberCount));
        Assert.True(segments.Segments.Count(s => s.Dimension == "tier" && s.MemberCount > 0) >= 3, "the load should spread customers over tiers");
        foreach (var summary in segments.Segments.Where(s => s.MemberCount > 0))
        {
            var segment = await server.Segments.GetSegmentAsync(new GetSegmentRequest { SegmentId = summary.SegmentId });
            var expectedTop = views.Where(v => v.Segments.Contains(summary.SegmentId))
                .OrderByDescending(v => Converged.Parse(v.Value.Score)).ThenBy(v => v.CustomerId, StringComparer.Ordinal)
                .Take(100).Select(v => v.CustomerId);
            Assert.Equal(expectedTop, segment.TopMembers.Select(m => m.CustomerId));
        }
    }

    [Fact]
    public async Task CustomerMovingUpTiersIsCountedOnlyInItsNewTier()
    {
        await using var server = await TestServer.StartAsync();
        var id = NewCustomerId("climber");
        var tiers = new List<string>();
        foreach (var amount in new[] { 50m, 300m, 1000m, 5000m })
        {
            await server.Customers.RecordTouchpointAsync(Record(Purchase(id, amount)));
            var view = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
            tiers.Add(view.Segments[0]);
            await Converged.SegmentsAsync(server, [view]);
        }

        Assert.Equal(["tier:bronze", "tier:silver", "tier:gold", "tier:platinum"], tiers);
        var platinum = await server.Segments.GetSegmentAsync(new GetSegmentRequest { SegmentId = "tier:platinum" });
        Assert.Equal(1, platinum.MemberCount);
        Assert.Equal("6350.00", platinum.TotalNetSpend.Amount);
        Assert.Equal(id, Assert.Single(platinum.TopMembers).CustomerId);
    }

    [Fact]
    public async Task WatchSegmentStreamsFiguresAsTheyChange()
    {
        await using var server = await TestServer.StartAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = server.Segments.WatchSegment(new WatchSegmentRequest { SegmentId = "channel:web" }, cancellationToken: cts.Token);
        Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
        Assert.Equal(0, watch.ResponseStream.Current.MemberCount);

        var id = NewCustomerId();
        await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 42m, channel: Channel.Web)));

        Segment latest;
        do
        {
            Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
            latest = watch.ResponseStream.Current;
        }
        while (latest.MemberCount == 0);

        Assert.Equal(1, latest.MemberCount);
        Assert.Equal("42.00", latest.TotalNetSpend.Amount);
        Assert.Equal(id, Assert.Single(latest.TopMembers).CustomerId);
    }

    [Theory]
    // Segments would otherwise fail to open on every call while the server ran and took touchpoints.
    [InlineData("SegmentPersistInterval", "-00:00:01")]
    [InlineData("SegmentPersistInterval", "00:00:00")]
    // A silo lost with its checkpoint unreadable would otherwise have nothing re-stated.
    [InlineData("SegmentRecoveryWindowOnSiloLoss", "-00:02:00")]
    [InlineData("SegmentRecoveryWindowOnSiloLoss", "00:00:00")]
    public async Task AServerRefusesToStartWithASegmentTimeThatIsNotPositive(string setting, string value)
    {
        var settings = new Dictionary<string, string?> { [$"Customer360:{setting}"] = value };

        var refused = await Assert.ThrowsAnyAsync<Exception>(async () => await (await TestServer.StartAsync(settings: settings)).DisposeAsync());

        Assert.Contains($"{setting} must be positive", refused.Message);
    }

    [Theory]
    // A late update could otherwise still be on its way when the segment forgets what keeps it out.
    [InlineData("SegmentLateUpdateWindow", "00:01:59", "SegmentLateUpdateWindow must be at least SegmentRecoveryWindowOnSiloLoss and SegmentCheckpointLag")]
    [InlineData("SegmentLateUpdateWindow", "00:09:59", "SegmentLateUpdateWindow must be at least SegmentRecoveryWindowOnSiloLoss and SegmentCheckpointLag", "SegmentCheckpointLag", "00:10:00")]
    [InlineData("SegmentNonMemberLimit", "0", "SegmentNonMemberLimit must be 1..10000000")]
    public async Task AServerRefusesToStartWithASegmentLateUpdateWindowOrLimitOutOfRange(
        string setting, string value, string problem, string? otherSetting = null, string? otherValue = null)
    {
        var settings = new Dictionary<string, string?> { [$"Customer360:{setting}"] = value };
        if (otherSetting is not null)
        {
            settings[$"Customer360:{otherSetting}"] = otherValue;
        }

        var refused = await Assert.ThrowsAnyAsync<Exception>(async () => await (await TestServer.StartAsync(settings: settings)).DisposeAsync());

        Assert.Contains(problem, refused.Message);
    }

    private static async Task StreamAllAsync(TestServer server, IEnumerable<Touchpoint> touchpoints)
    {
        using var call = server.Customers.StreamTouchpoints();
        var reading = call.ResponseStream.ReadAllAsync().ToListAsync().AsTask();
        var sent = 0;
        foreach (var t in touchpoints)
        {
            await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = t });
            sent++;
        }

        await call.RequestStream.CompleteAsync();
        var acks = await reading;
        Assert.Equal(sent, acks.Count);
        Assert.All(acks, a => Assert.Equal(AckStatus.Accepted, a.Status));
    }
}

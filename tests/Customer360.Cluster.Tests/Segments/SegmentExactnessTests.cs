using System.Collections.Concurrent;
using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using Customer360.Domain.Segments;
using Customer360.Domain.Values;
using static Customer360.Cluster.Tests.Infrastructure.Touchpoints;

namespace Customer360.Cluster.Tests.Segments;

[Collection(SegmentLoadClusterCollection.Name)]
public sealed class SegmentExactnessTests(ClusterFixture fixture)
{
    private const int CustomerCount = 2_000;
    private const int Parallelism = 64;

    private static readonly Channel[] Channels =
        [Channel.PointOfSale, Channel.CallCentre, Channel.Web, Channel.MobileApp, Channel.Email, Channel.Support, Channel.Other];

    private static readonly TouchpointKind[] Interactions =
        [TouchpointKind.Visit, TouchpointKind.Call, TouchpointKind.EmailOpen, TouchpointKind.EmailClick, TouchpointKind.Complaint];

    private sealed record GeneratedCustomer(string CustomerId, IReadOnlyList<Touchpoint> Touchpoints)
    {
        public decimal NetSpend => Touchpoints.Sum(t => t.Kind switch
        {
            TouchpointKind.Purchase => t.ReportingAmount!.Value,
            TouchpointKind.Return => -t.ReportingAmount!.Value,
            _ => 0m,
        });

        public ValueTier Tier => new TierThresholds().TierOf(decimal.Round(Math.Max(0m, NetSpend), 2, MidpointRounding.ToEven));
    }

    [Fact]
    public async Task SegmentFiguresEqualTheirMembersAfterConcurrentTouchpoints()
    {
        var customers = Generate(new Random(360), DateTimeOffset.UtcNow);
        var thresholds = new TierThresholds();

        // The load must move customers between segments, not only add them once.
        Assert.All(Enum.GetValues<ValueTier>().Skip(1), tier => Assert.Contains(customers, c => c.Tier == tier));
        Assert.All(customers.SelectMany(c => c.Touchpoints), t => Assert.True((t.ReportingAmount ?? 0m) < thresholds.Platinum));
        Assert.Contains(customers, c => c.Tier == ValueTier.Platinum && c.Touchpoints.Count(t => t.Kind == TouchpointKind.Purchase) >= 3);

        // Every touchpoint of every customer, in one shuffled stream: a customer's touchpoints
        // arrive out of event-time order and interleave with everybody else's.
        var stream = customers.SelectMany(c => c.Touchpoints).ToArray();
        new Random(361).Shuffle(stream);

        // Three times during the load every idle grain is deactivated: a customer comes back on
        // either silo, while updates it made before may still wait in the old silo's buffer.
        var management = fixture.Client.GetGrain<IManagementGrain>(0);
        var collections = new ConcurrentBag<Task>();
        var quarter = stream.Length / 4;
        var sent = 0;
        var accepted = 0;
        await Parallel.ForEachAsync(stream, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (touchpoint, _) =>
        {
            var n = Interlocked.Increment(ref sent);
            if (n % quarter == 0 && n < stream.Length)
            {
                collections.Add(management.ForceActivationCollection(TimeSpan.Zero));
            }

            var result = await fixture.Customer(touchpoint.CustomerId).RecordTouchpointAsync(touchpoint);
            if (result.Status == TouchpointStatus.Accepted)
            {
                Interlocked.Increment(ref accepted);
            }
        });
        await Task.WhenAll(collections);
        Assert.Equal(stream.Length, accepted);

        var views = await ReadViewsAsync(customers.Select(c => c.CustomerId));
        foreach (var customer in customers)
        {
            var view = views[customer.CustomerId];
            Assert.Equal(customer.Touchpoints.Count, view.Version);
            Assert.Equal(customer.Touchpoints.Count, view.Aggregates.TouchpointCount);
            Assert.Equal(customer.NetSpend, view.Aggregates.NetSpend);
            Assert.Equal(customer.Tier, view.Value?.Tier);
            Assert.Equal(SegmentId.Dimensions, view.Segments.Select(s => SegmentId.Split(s).Dimension));
        }

        var expected = RecomputedSegments.From(views.Values);
        var actual = await Eventually.PollAsync(
            () => RecomputedSegments.ReadAllAsync(fixture.Client),
            figures => RecomputedSegments.Differences(expected, figures).Count == 0);

        var differences = RecomputedSegments.Differences(expected, actual);
        Assert.True(differences.Count == 0, "Segments did not converge:\n" + string.Join("\n", differences.Take(30)));

        foreach (var dimension in SegmentId.Dimensions)
        {
            var segments = actual.Values.Where(f => SegmentId.Split(f.SegmentId).Dimension == dimension).ToList();
            Assert.Equal(CustomerCount, segments.Sum(f => f.MemberCount));
            var listed = segments.SelectMany(f => f.TopMembers.Select(m => m.CustomerId)).ToList();
            Assert.Equal(listed.Count, listed.Distinct(StringComparer.Ordinal).Count());
        }
    }

    private static List<GeneratedCustomer> Generate(Random random, DateTimeOffset now)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var customers = new List<GeneratedCustomer>(CustomerCount);
        for (var i = 0; i < CustomerCount; i++)
        {
            var id = $"load-{run}-{i:D4}";
            var channels = Channels.OrderBy(_ => random.Next()).Take(random.Next(2, 4)).ToArray();
            var count = random.Next(4, 9);
            var touchpoints = new List<Touchpoint>(count);
            for (var j = 0; j < count; j++)
            {
                var eventId = $"t{j}";
                var at = now.AddMinutes(-random.Next(1, 60 * 24 * 90));
                var channel = channels[random.Next(channels.Length)];
                var roll = random.Next(100);
                touchpoints.Add(roll switch
                {
                    // Mostly small baskets, a few large ones: every tier gets members.
                    < 55 => Purchase(id, eventId, at, decimal.Round((decimal)(5 + (Math.Pow(random.NextDouble(), 2) * 2500)), 2), channel,
                        random.Next(5) == 0 ? "GBP" : "EUR"),
                    < 65 => Return(id, eventId, at, random.Next(100, 20_000) / 100m, channel),
                    _ => Event(id, eventId, at, channel, Interactions[random.Next(Interactions.Length)]),
                });
            }

            customers.Add(new GeneratedCustomer(id, touchpoints));
        }

        return customers;
    }

    private async Task<Dictionary<string, CustomerView>> ReadViewsAsync(IEnumerable<string> customerIds)
    {
        var views = new ConcurrentDictionary<string, CustomerView>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(customerIds, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (id, _) =>
        {
            var view = await fixture.Customer(id).GetViewAsync();
            views[id] = view ?? throw new InvalidOperationException($"Customer {id} has no view.");
        });
        return new Dictionary<string, CustomerView>(views, StringComparer.Ordinal);
    }
}

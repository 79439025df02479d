using Customer360.Domain.Customers;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Customers;

/// <summary>
/// The kept window as one buffer: whatever order touchpoints come in, and wherever they land,
/// it holds exactly the newest of them, each decoding to what was inserted.
/// </summary>
public sealed class RecentTouchpointsTests
{
    private const string CustomerId = "c-window";

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(50)]
    public void InsertsInAnyOrderKeepTheNewestOfAllInserted(int window)
    {
        var random = new Random(window);
        var recent = new RecentTouchpoints(CustomerId, [], window);
        var inserted = new List<Touchpoint>();
        for (var i = 0; i < 400; i++)
        {
            // Few distinct times, so that ties on the tick (ordered by event id) are common; sizes
            // vary, so that encodings of different lengths are moved past each other.
            var touchpoint = Varied(random, $"e{random.Next(1_000_000):D6}-{i}", Day(-random.Next(30)));
            inserted.Add(touchpoint);
            recent.Insert(touchpoint, window);

            var expected = inserted.Order(Comparer<Touchpoint>.Create(Touchpoint.NewestFirst)).Take(window).ToArray();
            Assert.Equal(expected.Select(t => t.EventId), recent.Select(t => t.EventId));
        }

        var byId = inserted.ToDictionary(t => t.EventId);
        foreach (var kept in recent)
        {
            var sent = byId[kept.EventId];
            Assert.Equal(sent.OccurredAt, kept.OccurredAt);
            Assert.Equal(TouchpointFingerprint.Of(sent), TouchpointFingerprint.Of(kept));
        }
    }

    [Fact]
    public void ARestoredWindowIsCutToItsSizeAndKeepsTakingTouchpoints()
    {
        var random = new Random(5);
        var stored = Enumerable.Range(0, 60).Select(i => Varied(random, $"s{i:D3}", Day(-i))).ToArray();

        // A customer restores every stored touchpoint whatever window it was stored under.
        var recent = new RecentTouchpoints(CustomerId, stored, int.MaxValue);
        Assert.Equal(60, recent.Count);
        Assert.Equal(stored.Sum(t => (long)TouchpointCodec.Encode(t, CustomerId).Length), recent.EncodedBytes);
        Assert.Equal(recent.EncodedBytes, recent.CapacityBytes);

        // The next touchpoint trims to the rules' window; a late one lands in the middle.
        recent.Insert(Varied(random, "late", Day(-10).AddHours(1)), 20);

        Assert.Equal(20, recent.Count);
        Assert.Equal(
            stored.Take(10).Select(t => t.EventId).Append("late").Concat(stored.Skip(10).Take(9).Select(t => t.EventId)),
            recent.Select(t => t.EventId));
        Assert.Equal("s005", recent.Find("s005")!.EventId);
        Assert.Null(recent.Find("s019"));
        Assert.Equal(recent.Sum(t => (long)TouchpointCodec.Encode(t, CustomerId).Length), recent.EncodedBytes);
    }

    [Fact]
    public void AWindowOfNoneKeepsNothing()
    {
        var recent = new RecentTouchpoints(CustomerId, [Purchase("a", Day(-1), 1m)], int.MaxValue);

        recent.Insert(Purchase("b", Day(0), 2m), 0);

        Assert.Empty(recent);
        Assert.Equal(0, recent.EncodedBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => recent[0]);
    }

    private static Touchpoint Varied(Random random, string eventId, DateTimeOffset occurredAt) =>
        (random.Next(3)) switch
        {
            0 => Event(eventId, occurredAt, Channel.Web, TouchpointKind.Visit),
            1 => Purchase(eventId, occurredAt, random.Next(1, 10_000) / 100m) with
            {
                LineItems = Enumerable.Range(0, random.Next(4))
                    .Select(n => new LineItem($"SKU-{n}", "category", n + 1, new Money(n + 0.5m, "USD")))
                    .ToArray(),
            },
            _ => Event(eventId, occurredAt, Channel.Email, TouchpointKind.EmailOpen) with
            {
                Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["campaign"] = new string('x', random.Next(1, 40)) },
            },
        };
}

using Customer360.Domain.Customers;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Customers;

/// <summary>Aggregates are defined by event time, never by the order touchpoints arrive in.</summary>
public sealed class EventTimeOrderTests
{
    public static TheoryData<string> ArrivalOrders()
    {
        var orders = new TheoryData<string> { "chronological", "reverse-chronological", "as-listed", "by-event-id-descending" };
        for (var seed = 1; seed <= 40; seed++)
        {
            orders.Add($"shuffled-{seed}");
        }

        return orders;
    }

    [Theory]
    [MemberData(nameof(ArrivalOrders))]
    public void SameTouchpointsInAnyOrderGiveSameAggregates(string arrivalOrder)
    {
        var arrivals = Arrange(MixedHistory.Touchpoints(), arrivalOrder);

        var customer = CustomerWith(arrivals, MixedHistory.Rules);

        Assert.Equal(MixedHistory.Expected, CustomerSnapshot.Of(customer));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void RedeliveredTouchpointsInAnyOrderGiveSameAggregates(int seed)
    {
        var history = MixedHistory.Touchpoints();
        var random = new Random(seed);
        // Each touchpoint is delivered one to three times, the copies mixed in anywhere.
        var deliveries = Shuffled(history.SelectMany(t => Enumerable.Repeat(t, random.Next(1, 4))), seed);
        var customer = NewCustomer();

        var outcomes = deliveries.Select(t => customer.Apply(t, MixedHistory.Rules, Now)).ToList();

        Assert.Equal(history.Count, outcomes.Count(o => o == ApplyOutcome.Accepted));
        Assert.Equal(deliveries.Count - history.Count, outcomes.Count(o => o == ApplyOutcome.Duplicate));
        Assert.Equal(MixedHistory.Expected, CustomerSnapshot.Of(customer));
    }

    [Theory]
    [InlineData(11, 1)]
    [InlineData(12, 7)]
    [InlineData(13, 10)]
    [InlineData(14, 17)]
    public void CustomerRestoredMidwayEndsWithSameAggregates(int seed, int appliedBeforeRestore)
    {
        var arrivals = Shuffled(MixedHistory.Touchpoints(), seed);
        var before = CustomerWith(arrivals.Take(appliedBeforeRestore), MixedHistory.Rules);

        var restored = Restore(before);
        foreach (var touchpoint in arrivals.Skip(appliedBeforeRestore))
        {
            restored.Apply(touchpoint, MixedHistory.Rules, Now);
        }

        Assert.Equal(MixedHistory.Expected, CustomerSnapshot.Of(restored));
    }

    [Fact]
    public void AggregateTimesAreKeptInUtc()
    {
        // e06 and e21 were sent with +05:00 and -08:00 offsets.
        var customer = CustomerWith(
            [
                Purchase("local-east", new DateTimeOffset(2025, 3, 11, 1, 30, 0, TimeSpan.FromHours(5)), 10m),
                Event("local-west", new DateTimeOffset(2025, 2, 2, 2, 0, 0, TimeSpan.FromHours(-8)), Channel.Other, TouchpointKind.Other),
            ]);

        var a = customer.Aggregates;
        Assert.Equal(TimeSpan.Zero, a.FirstPurchaseAt!.Value.Offset);
        Assert.Equal(TimeSpan.Zero, a.LastPurchaseAt!.Value.Offset);
        Assert.Equal(TimeSpan.Zero, a.LastContactAt!.Value.Offset);
        Assert.Equal(Utc(2025, 3, 10, 20, 30), a.LastContactAt);
        // Counted on the UTC day (10 March), not the sender's local day (11 March).
        Assert.Equal("2025-03-10 +10 -0 x1", CustomerSnapshot.FormatDays(a.Days));
    }

    private static List<Touchpoint> Arrange(IReadOnlyList<Touchpoint> history, string arrivalOrder) => arrivalOrder switch
    {
        "chronological" => [.. history.OrderBy(t => t.OccurredAt).ThenBy(t => t.EventId, StringComparer.Ordinal)],
        "reverse-chronological" => [.. history.OrderByDescending(t => t.OccurredAt).ThenByDescending(t => t.EventId, StringComparer.Ordinal)],
        "as-listed" => [.. history],
        "by-event-id-descending" => [.. history.OrderByDescending(t => t.EventId, StringComparer.Ordinal)],
        _ when arrivalOrder.StartsWith("shuffled-", StringComparison.Ordinal) => Shuffled(history, int.Parse(arrivalOrder["shuffled-".Length..])),
        _ => throw new ArgumentOutOfRangeException(nameof(arrivalOrder), arrivalOrder, null),
    };

    /// <summary>Round-trips a customer through the restoring constructors, as the grain does with stored state.</summary>
    private static Customer Restore(Customer c)
    {
        var a = c.Aggregates;
        var aggregates = new CustomerAggregates(
            a.ByChannel.ToArray(),
            a.ByKind.ToArray(),
            a.LastTicksByChannel.ToArray(),
            a.GrossPurchases,
            a.TotalReturns,
            a.OrderCount,
            a.FirstPurchaseAt,
            a.LastPurchaseAt,
            a.LastContactAt,
            a.Days.Reverse().ToList());
        return new Customer(
            c.CustomerId,
            c.Version,
            c.CreatedAt,
            c.UpdatedAt,
            c.Profile,
            aggregates,
            c.RecentTouchpoints.Reverse().ToList(),
            c.AppliedEvents.ToList(),
            c.Value);
    }
}

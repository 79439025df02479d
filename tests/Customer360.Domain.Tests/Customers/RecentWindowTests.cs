using Customer360.Domain.Customers;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Customers;

public sealed class RecentWindowTests
{
    private static readonly CustomerRules WindowOfThree = new() { RecentWindow = 3 };

    [Fact]
    public void RecentWindowKeepsTheNewestByEventTimeNewestFirst()
    {
        var customer = CustomerWith(
            [
                Event("t3", Day(-3), Channel.Web, TouchpointKind.Visit),
                Event("t1", Day(-1), Channel.Web, TouchpointKind.Visit),
                Event("t5", Day(-5), Channel.Web, TouchpointKind.Visit),
                Event("t2", Day(-2), Channel.Web, TouchpointKind.Visit),
                Event("t4", Day(-4), Channel.Web, TouchpointKind.Visit),
            ],
            WindowOfThree);

        Assert.Equal("t1 t2 t3", Ids(customer.RecentTouchpoints));
    }

    [Fact]
    public void LateTouchpointOlderThanAFullWindowIsCountedButNotKept()
    {
        var customer = CustomerWith(
            [
                Event("t1", Day(-1), Channel.Web, TouchpointKind.Visit),
                Event("t2", Day(-2), Channel.Web, TouchpointKind.Visit),
                Event("t3", Day(-3), Channel.Web, TouchpointKind.Visit),
            ],
            WindowOfThree);

        var outcome = customer.Apply(Purchase("late", Day(-30), 10m), WindowOfThree, Now);

        Assert.Equal(ApplyOutcome.Accepted, outcome);
        Assert.Equal("t1 t2 t3", Ids(customer.RecentTouchpoints));
        Assert.Equal(4, customer.Aggregates.TouchpointCount);
        Assert.Equal(10m, customer.Aggregates.GrossPurchases);
    }

    [Fact]
    public void LateTouchpointNewerThanPartOfAFullWindowDisplacesTheOldest()
    {
        var customer = CustomerWith(
            [
                Event("t1", Day(-1), Channel.Web, TouchpointKind.Visit),
                Event("t3", Day(-3), Channel.Web, TouchpointKind.Visit),
                Event("t4", Day(-4), Channel.Web, TouchpointKind.Visit),
            ],
            WindowOfThree);

        customer.Apply(Event("t2", Day(-2), Channel.Email, TouchpointKind.EmailOpen), WindowOfThree, Now);

        Assert.Equal("t1 t2 t3", Ids(customer.RecentTouchpoints));
    }

    [Theory]
    [InlineData("a b c d")]
    [InlineData("d c b a")]
    [InlineData("b d a c")]
    [InlineData("c a d b")]
    public void EqualEventTimesAreOrderedByEventIdHighestFirst(string arrivalOrder)
    {
        var at = Day(-1);
        var touchpoints = arrivalOrder.Split(' ').Select(id => Event(id, at, Channel.Web, TouchpointKind.Visit));

        var all = CustomerWith(touchpoints);
        var windowed = CustomerWith(arrivalOrder.Split(' ').Select(id => Event(id, at, Channel.Web, TouchpointKind.Visit)), WindowOfThree);

        Assert.Equal("d c b a", Ids(all.RecentTouchpoints));
        Assert.Equal("d c b", Ids(windowed.RecentTouchpoints));
    }

    [Fact]
    public void EventIdTieBreakIsOrdinal()
    {
        var at = Day(-1);

        // Ordinal order puts upper case before lower case: "B" < "a".
        var customer = CustomerWith(
            [
                Event("B", at, Channel.Web, TouchpointKind.Visit),
                Event("a", at, Channel.Web, TouchpointKind.Visit),
            ]);

        Assert.Equal("a B", Ids(customer.RecentTouchpoints));
    }

    [Fact]
    public void RecentOrderComparesInstantsNotLocalClockTimes()
    {
        // 10:00 at +02:00 is 08:00 UTC, earlier than 09:00 UTC.
        var customer = CustomerWith(
            [
                Event("utc-0900", Utc(2025, 6, 1, 9), Channel.Web, TouchpointKind.Visit),
                Event("local-1000", new DateTimeOffset(2025, 6, 1, 10, 0, 0, TimeSpan.FromHours(2)), Channel.Web, TouchpointKind.Visit),
            ]);

        Assert.Equal("utc-0900 local-1000", Ids(customer.RecentTouchpoints));
    }

    [Fact]
    public void RecentWindowOfZeroKeepsNoTouchpointsButStillCountsThem()
    {
        var rules = new CustomerRules { RecentWindow = 0 };

        var customer = CustomerWith([Event("t1", Day(-1), Channel.Web, TouchpointKind.Visit)], rules);

        Assert.Empty(customer.RecentTouchpoints);
        Assert.Equal(1, customer.Aggregates.TouchpointCount);
    }

    [Fact]
    public void RestoredRecentTouchpointsAreOrderedNewestFirst()
    {
        var customer = new Customer(
            CustomerId, 3, Now, Now, CustomerProfile.Empty, new CustomerAggregates(),
            [
                Event("t2", Day(-2), Channel.Web, TouchpointKind.Visit),
                Event("t1", Day(-1), Channel.Web, TouchpointKind.Visit),
                Event("t3", Day(-3), Channel.Web, TouchpointKind.Visit),
            ],
            [new AppliedEvent("t1", 1), new AppliedEvent("t2", 2), new AppliedEvent("t3", 3)],
            null);

        Assert.Equal("t1 t2 t3", Ids(customer.RecentTouchpoints));
    }

    [Fact]
    public void NewestFirstIsATotalOrder()
    {
        var early = Event("z", Day(-2), Channel.Web, TouchpointKind.Visit);
        var lateA = Event("a", Day(-1), Channel.Web, TouchpointKind.Visit);
        var lateB = Event("b", Day(-1), Channel.Web, TouchpointKind.Visit);

        Assert.True(Touchpoint.NewestFirst(lateA, early) < 0);
        Assert.True(Touchpoint.NewestFirst(early, lateA) > 0);
        Assert.True(Touchpoint.NewestFirst(lateB, lateA) < 0);
        Assert.True(Touchpoint.NewestFirst(lateA, lateB) > 0);
        Assert.Equal(0, Touchpoint.NewestFirst(lateA, lateA));
    }
}

using Customer360.Domain.Customers;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Customers;

public sealed class CustomerAggregatesTests
{
    [Fact]
    public void NewAggregatesAreEmpty()
    {
        var a = new CustomerAggregates();

        Assert.Equal(0, a.TouchpointCount);
        Assert.Equal(0m, a.NetSpend);
        Assert.Equal(0m, a.AverageOrderValue);
        Assert.Null(a.FirstPurchaseAt);
        Assert.Null(a.LastPurchaseAt);
        Assert.Null(a.LastContactAt);
        Assert.Equal(0, a.DistinctPurchaseDays);
        Assert.Equal(Channel.Unspecified, a.PreferredChannel);
        Assert.Empty(a.Days);
    }

    [Fact]
    public void AverageOrderValueIsGrossOverOrdersRoundedToCents()
    {
        var customer = CustomerWith(
            [
                Purchase("p1", Day(-3), 50m),
                Purchase("p2", Day(-2), 25m),
                Purchase("p3", Day(-1), 25m),
                Return("r1", Day(-1), 40m),
            ]);

        // Returns reduce net spend but not the average order value: 100 / 3.
        Assert.Equal(33.33m, customer.Aggregates.AverageOrderValue);
        Assert.Equal(3, customer.Aggregates.OrderCount);
        Assert.Equal(60m, customer.Aggregates.NetSpend);
    }

    [Theory]
    [InlineData(0.125, 0.12)]
    [InlineData(0.135, 0.14)]
    [InlineData(10.005, 10.00)]
    public void AverageOrderValueRoundsHalfToEven(decimal amount, decimal expected)
    {
        var customer = CustomerWith([Purchase("p1", Day(-1), amount)]);

        Assert.Equal(expected, customer.Aggregates.AverageOrderValue);
    }

    [Fact]
    public void ReturnsAreNotOrdersAndReturnOnlyDaysAreNotPurchaseDays()
    {
        var customer = CustomerWith([Return("r1", Day(-2), 10m), Return("r2", Day(-1), 10m)]);

        var a = customer.Aggregates;
        Assert.Equal(0, a.OrderCount);
        Assert.Equal(0, a.DistinctPurchaseDays);
        Assert.Null(a.FirstPurchaseAt);
        Assert.Equal(-20m, a.NetSpend);
        Assert.Equal(2, a.Days.Count);
    }

    [Fact]
    public void PurchaseAfterAReturnOnTheSameDayMakesItAPurchaseDay()
    {
        var customer = CustomerWith([Return("r1", Utc(2025, 6, 1, 9), 10m), Purchase("p1", Utc(2025, 6, 1, 18), 30m)]);

        Assert.Equal(1, customer.Aggregates.DistinctPurchaseDays);
        Assert.Equal("2025-06-01 +30 -10 x1", CustomerSnapshot.FormatDays(customer.Aggregates.Days));
    }

    [Fact]
    public void PurchaseDaysAreUtcCalendarDays()
    {
        var customer = CustomerWith(
            [
                Purchase("p1", Utc(2025, 6, 1, 0, 0, 0), 1m),
                Purchase("p2", Utc(2025, 6, 1, 23, 59, 59), 1m),
                Purchase("p3", Utc(2025, 6, 2, 0, 0, 0), 1m),
            ]);

        Assert.Equal(2, customer.Aggregates.DistinctPurchaseDays);
    }

    [Fact]
    public void NonMonetaryTouchpointsCountButDoNotTouchSpend()
    {
        var customer = CustomerWith(
            [
                Event("c1", Day(-2), Channel.CallCentre, TouchpointKind.Call),
                Event("s1", Day(-1), Channel.Support, TouchpointKind.Complaint),
            ]);

        var a = customer.Aggregates;
        Assert.Equal(2, a.TouchpointCount);
        Assert.Equal(1, a.CountOf(Channel.CallCentre));
        Assert.Equal(1, a.CountOf(TouchpointKind.Complaint));
        Assert.Equal(0m, a.GrossPurchases);
        Assert.Empty(a.Days);
        Assert.Equal(Day(-1), a.LastContactAt);
    }

    [Fact]
    public void PreferredChannelIsTheMostUsed()
    {
        var customer = CustomerWith(
            [
                Event("w1", Day(-3), Channel.Web, TouchpointKind.Visit),
                Event("w2", Day(-2), Channel.Web, TouchpointKind.Visit),
                Event("e1", Day(-1), Channel.Email, TouchpointKind.EmailOpen),
            ]);

        Assert.Equal(Channel.Web, customer.Aggregates.PreferredChannel);
    }

    [Theory]
    [InlineData("web-first")]
    [InlineData("app-first")]
    public void PreferredChannelTieGoesToTheChannelWithTheLatestEventTime(string arrival)
    {
        // Web (3) and MobileApp (4) have two touchpoints each; MobileApp's latest is newer.
        Touchpoint[] web = [Event("w1", Day(-10), Channel.Web, TouchpointKind.Visit), Event("w2", Day(-2), Channel.Web, TouchpointKind.Visit)];
        Touchpoint[] app = [Event("m1", Day(-1), Channel.MobileApp, TouchpointKind.Visit), Event("m2", Day(-20), Channel.MobileApp, TouchpointKind.Visit)];

        var customer = CustomerWith(arrival == "web-first" ? [.. app, .. web] : [.. web, .. app]);

        Assert.Equal(Channel.MobileApp, customer.Aggregates.PreferredChannel);
    }

    [Fact]
    public void PreferredChannelTieAtTheSameLatestTimeGoesToTheLowerChannel()
    {
        var at = Day(-1);
        var customer = CustomerWith(
            [
                Event("m1", at, Channel.MobileApp, TouchpointKind.Visit),
                Event("w1", at, Channel.Web, TouchpointKind.Visit),
            ]);

        Assert.Equal(Channel.Web, customer.Aggregates.PreferredChannel);
    }

    [Fact]
    public void NetSpendBetweenIncludesBothBoundaryDays()
    {
        var customer = CustomerWith(
            [
                Purchase("p1", Utc(2025, 6, 1, 12), 1m),
                Purchase("p2", Utc(2025, 6, 2, 12), 10m),
                Return("r3", Utc(2025, 6, 3, 12), 4m),
                Purchase("p4", Utc(2025, 6, 4, 12), 1000m),
            ]);
        var from = DayNumber(2025, 6, 2);
        var to = DayNumber(2025, 6, 3);

        Assert.Equal(6m, customer.Aggregates.NetSpendBetween(from, to));
        Assert.Equal(0m, customer.Aggregates.NetSpendBetween(to + 2, to + 10));
    }

    [Fact]
    public void RestoredAggregatesSortDaysAndRecountPurchaseDays()
    {
        var a = new CustomerAggregates(
            [0, 2], // stored before the last channels existed: padded with zeros
            [0, 1, 1],
            [0, Utc(2025, 6, 2).UtcTicks],
            30m,
            5m,
            1,
            Utc(2025, 6, 2),
            Utc(2025, 6, 2),
            Utc(2025, 6, 2),
            [new DailyActivity(DayNumber(2025, 6, 2), 30m, 0m, 1), new DailyActivity(DayNumber(2025, 6, 1), 0m, 5m, 0)]);

        Assert.Equal(1, a.DistinctPurchaseDays);
        Assert.Equal("2025-06-01 +0 -5 x0; 2025-06-02 +30 -0 x1", CustomerSnapshot.FormatDays(a.Days));
        Assert.Equal(EnumRanges.ChannelCount, a.ByChannel.Length);
        Assert.Equal(EnumRanges.KindCount, a.ByKind.Length);
        Assert.Equal(0, a.CountOf(Channel.Other));
        Assert.Equal(Channel.PointOfSale, a.PreferredChannel);

        // Applying to the restored aggregates keeps the day list sorted.
        a.Apply(Purchase("p", Utc(2025, 5, 31, 8), 7m));
        Assert.Equal("2025-05-31 +7 -0 x1; 2025-06-01 +0 -5 x0; 2025-06-02 +30 -0 x1", CustomerSnapshot.FormatDays(a.Days));
        Assert.Equal(2, a.DistinctPurchaseDays);
    }

    [Fact]
    public void RestoringDoesNotShareTheCallersArrays()
    {
        long[] byChannel = new long[EnumRanges.ChannelCount];
        var a = new CustomerAggregates(
            byChannel, new long[EnumRanges.KindCount], new long[EnumRanges.ChannelCount], 0m, 0m, 0, null, null, null, []);

        a.Apply(Event("v", Day(-1), Channel.Web, TouchpointKind.Visit));

        Assert.Equal(0, byChannel[(int)Channel.Web]);
        Assert.Equal(1, a.CountOf(Channel.Web));
    }

    private static int DayNumber(int year, int month, int day) => new DateOnly(year, month, day).DayNumber;
}

using Customer360.Domain.Customers;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Customers;

public sealed class DailyActivityTests
{
    [Theory]
    [InlineData(2025, 3, 11, 1, 30, 5, 2025, 3, 10)]
    [InlineData(2025, 3, 10, 20, 0, -8, 2025, 3, 11)]
    [InlineData(2025, 3, 10, 0, 0, 0, 2025, 3, 10)]
    public void DayIsTheUtcCalendarDay(int year, int month, int day, int hour, int minute, int offsetHours, int utcYear, int utcMonth, int utcDay)
    {
        var time = new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.FromHours(offsetHours));

        Assert.Equal(new DateOnly(utcYear, utcMonth, utcDay).DayNumber, DailyActivity.DayOf(time));
    }

    [Fact]
    public void AggregatesUseUtcEvenForTouchpointsNotNormalisedByTheValidator()
    {
        // Restored or replayed touchpoints may carry their original offset.
        var east = Raw("p1", new DateTimeOffset(2025, 3, 11, 1, 30, 0, TimeSpan.FromHours(5)), Channel.Web, TouchpointKind.Purchase, new Money(10m, "USD"))
            with { ReportingAmount = 10m };
        var aggregates = new CustomerAggregates();

        aggregates.Apply(east);

        Assert.Equal(TimeSpan.Zero, aggregates.FirstPurchaseAt!.Value.Offset);
        Assert.Equal(TimeSpan.Zero, aggregates.LastContactAt!.Value.Offset);
        Assert.Equal("2025-03-10 +10 -0 x1", CustomerSnapshot.FormatDays(aggregates.Days));
    }

    [Fact]
    public void NewestFirstComparesInstantsForTouchpointsNotNormalisedByTheValidator()
    {
        // 10:00 at +02:00 is 08:00 UTC, earlier than 09:00 UTC, although its clock time is later.
        var utc0900 = Raw("a", Utc(2025, 6, 1, 9), Channel.Web, TouchpointKind.Visit);
        var local1000 = Raw("b", new DateTimeOffset(2025, 6, 1, 10, 0, 0, TimeSpan.FromHours(2)), Channel.Web, TouchpointKind.Visit);

        Assert.True(Touchpoint.NewestFirst(utc0900, local1000) < 0);
    }
}

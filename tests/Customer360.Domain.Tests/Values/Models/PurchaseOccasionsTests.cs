using Customer360.Domain.Customers;
using Customer360.Domain.Values.Models;

namespace Customer360.Domain.Tests.Values.Models;

public sealed class PurchaseOccasionsTests
{
    private static readonly int Day0 = new DateOnly(2025, 1, 6).DayNumber;

    /// <summary>Occasions from purchases given as (days after <see cref="Day0"/>, amount), in that order.</summary>
    private static PurchaseOccasions Bought(params (int Day, decimal Amount)[] purchases)
    {
        var occasions = new PurchaseOccasions();
        foreach (var (day, amount) in purchases)
        {
            occasions.AddPurchase(Day0 + day, amount);
        }

        return occasions;
    }

    /// <summary>The inputs <paramref name="days"/> after <see cref="Day0"/>.</summary>
    private static CustomerValueInputs InputsAt(PurchaseOccasions occasions, int days) => occasions.ToInputs(Day0 + days)!.Value;

    [Fact]
    public void NoPurchaseGivesNoInputs()
    {
        var occasions = new PurchaseOccasions();
        occasions.AddReturn(Day0, 10m);

        Assert.Null(occasions.ToInputs(Day0 + 30));
        Assert.Equal(0, occasions.OccasionCount);
    }

    [Fact]
    public void ASingleOccasionIsNotARepeat()
    {
        Assert.Equal(new CustomerValueInputs(0, 0, 2, 0), InputsAt(Bought((0, 40m)), 14));
    }


    [Fact]
    public void SameDayPurchasesMergeAndTheFirstOccasionIsLeftOutOfTheMean()
    {
        var occasions = Bought((0, 1000m), (7, 10m), (7, 20m), (21, 60m));

        Assert.Equal(new CustomerValueInputs(2, 3, 4, 45), InputsAt(occasions, 28));
        Assert.Equal(90m, occasions.RepeatValue);
    }


    [Fact]
    public void APurchaseOnTheFirstDayAddsToTheFirstOccasionNotToTheRepeats()
    {
        Assert.Equal(new CustomerValueInputs(1, 1, 1, 30), InputsAt(Bought((0, 10m), (7, 30m), (0, 500m)), 7));
    }


    [Fact]
    public void APurchaseOnTheLastDayGrowsThatRepeatOccasion()
    {
        Assert.Equal(new CustomerValueInputs(1, 1, 1, 42), InputsAt(Bought((0, 10m), (7, 30m), (7, 12m)), 7));
    }


    [Fact]
    public void AnEarlierDayArrivingLateBecomesTheFirstOccasion()
    {
        var late = Bought((14, 60m), (7, 30m), (0, 5m));

        var expected = new CustomerValueInputs(2, 2, 3, 45);
        Assert.Equal(expected, InputsAt(Bought((0, 5m), (7, 30m), (14, 60m)), 21));
        Assert.Equal(expected, InputsAt(late, 21));
        Assert.Equal(Day0, late.FirstDay);
        Assert.Equal(Day0 + 14, late.LastDay);
    }


    [Fact]
    public void AReturnLowersTheOccasionOnItsDayFlooredAtZeroAndKeepsTheOccasion()
    {
        var occasions = Bought((0, 10m), (7, 30m), (14, 50m));
        occasions.AddReturn(Day0 + 7, 45m);
        occasions.AddReturn(Day0 + 14, 20m);

        // Day 7 is floored at 0 and day 14 keeps 30: two repeats averaging 15.
        Assert.Equal(new CustomerValueInputs(2, 2, 2, 15), InputsAt(occasions, 14));
    }


    [Fact]
    public void AReturnOnADayWithoutAPurchaseDoesNotTouchTheModel()
    {
        var occasions = Bought((0, 10m), (7, 30m));
        occasions.AddReturn(Day0 + 10, 30m);
        occasions.AddReturn(Day0 - 3, 30m);

        Assert.Equal(new CustomerValueInputs(1, 1, 2, 30), InputsAt(occasions, 14));
        Assert.Equal(Day0, occasions.FirstDay);
    }


    [Fact]
    public void ASameDayReturnArrivingBeforeItsPurchaseStillApplies()
    {
        var occasions = Bought((0, 10m));
        occasions.AddReturn(Day0 + 7, 25m);
        occasions.AddPurchase(Day0 + 7, 30m);

        Assert.Equal(new CustomerValueInputs(1, 1, 1, 5), InputsAt(occasions, 7));
    }


    [Fact]
    public void TheArrivalOrderDoesNotMatter()
    {
        var events = new (int Day, decimal Amount, bool IsReturn)[]
        {
            (Day0 + 3, 12.5m, false), (Day0, 7m, false), (Day0 + 3, 4m, true), (Day0 + 9, 20m, false),
            (Day0 + 9, 1.25m, false), (Day0 + 12, 3m, true), (Day0 + 20, 8m, false), (Day0, 2m, true),
        };
        CustomerValueInputs? expected = null;
        var random = new Random(7);
        for (var round = 0; round < 50; round++)
        {
            var occasions = new PurchaseOccasions();
            foreach (var (day, amount, isReturn) in events.OrderBy(_ => random.Next()))
            {
                if (isReturn)
                {
                    occasions.AddReturn(day, amount);
                }
                else
                {
                    occasions.AddPurchase(day, amount);
                }
            }

            var inputs = occasions.ToInputs(Day0 + 30);
            expected ??= inputs;
            Assert.Equal(expected, inputs);
        }

        // Occasions on days 0, 3, 9 and 20; repeat values 8.5, 21.25 and 8.
        Assert.Equal(new CustomerValueInputs(3, 20 / 7.0, 30 / 7.0, (double)((8.5m + 21.25m + 8m) / 3)), expected!.Value);
    }

    [Fact]
    public void AReferenceBeforeTheLastOccasionIsTakenAsThatDay()
    {
        var inputs = InputsAt(Bought((0, 10m), (14, 30m)), 10);

        Assert.Equal(2.0, inputs.T);
        Assert.Equal(inputs.T, inputs.Tx);
    }


    [Fact]
    public void UtcDaysAreUsedForTimes()
    {
        var occasions = new PurchaseOccasions();
        // 23:30 at -05:00 is 04:30 UTC the next day, the same UTC day as the second purchase.
        occasions.AddPurchase(new DateTimeOffset(2025, 1, 5, 23, 30, 0, TimeSpan.FromHours(-5)), 10m);
        occasions.AddPurchase(new DateTimeOffset(2025, 1, 6, 12, 0, 0, TimeSpan.Zero), 5m);

        Assert.Equal(1, occasions.OccasionCount);
        Assert.Equal(Day0, occasions.FirstDay);
    }

    [Fact]
    public void DailyActivityRebuildsTheSameOccasions()
    {
        var days = new[]
        {
            new DailyActivity(Day0, 10m, 0m, 1),
            new DailyActivity(Day0 + 5, 0m, 4m, 0),
            new DailyActivity(Day0 + 7, 30m, 6m, 2),
            new DailyActivity(Day0 + 14, 9m, 0m, 1),
        };

        var occasions = PurchaseOccasions.FromDays(days);

        Assert.Equal(new CustomerValueInputs(2, 2, 3, (24 + 9) / 2.0), occasions.ToInputs(Day0 + 21)!.Value);
        Assert.Equal([(Day0, 10m), (Day0 + 7, 24m), (Day0 + 14, 9m)], occasions.Occasions.ToArray());
    }

    [Theory]
    [InlineData(-1, 0, 1, 0)]
    [InlineData(1, 2, 1, 0)]
    [InlineData(0, 1, 1, 0)]
    [InlineData(0, 0, 1, 5)]
    [InlineData(1, 0, double.NaN, 1)]
    [InlineData(1, 0, 1, -1)]
    public void InputsRejectImpossibleStatistics(int x, double tx, double t, double mean)
    {
        Assert.ThrowsAny<ArgumentException>(() => new CustomerValueInputs(x, tx, t, mean));
    }
}

namespace Customer360.Domain.Customers;

/// <summary>
/// What a customer bought and returned on one UTC calendar day, in the reporting currency.
/// <see cref="Day"/> counts days since 0001-01-01 (<see cref="DateOnly.DayNumber"/>).
/// Days carry the spend behind the 365-day value score and the purchase occasions a CLV
/// model needs. This is the form days are stored and read in; a customer's aggregates keep
/// purchases and returns apart in memory (<see cref="CustomerAggregates"/>).
/// </summary>
public readonly record struct DailyActivity(int Day, decimal Purchases, decimal Returns, int PurchaseCount)
{
    public static int DayOf(DateTimeOffset time) => DateOnly.FromDateTime(time.UtcDateTime).DayNumber;
}

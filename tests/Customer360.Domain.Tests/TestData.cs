using System.Globalization;
using Customer360.Domain.Customers;
using Customer360.Domain.Validation;

namespace Customer360.Domain.Tests;

/// <summary>
/// Builders for touchpoints, customers and rules. Every touchpoint handed to a customer goes
/// through the validator first, as it does in the product, so it carries its reporting amount
/// and a UTC event time.
/// </summary>
internal static class TestData
{
    public const string CustomerId = "customer-1";

    /// <summary>A fixed "now": 2025-06-15 12:00 UTC. No test reads the clock.</summary>
    public static readonly DateTimeOffset Now = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Reporting in USD; 1 EUR = 1.1 USD, 1 GBP = 1.25 USD.</summary>
    public static CurrencyTable Currencies() =>
        new("USD", new Dictionary<string, decimal> { ["EUR"] = 1.1m, ["GBP"] = 1.25m });

    public static TouchpointValidator Validator(InputLimits? limits = null) => new(limits ?? new InputLimits(), Currencies());

    public static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);

    public static DateTimeOffset Day(int daysFromNow) => Now.AddDays(daysFromNow);

    /// <summary>An unvalidated touchpoint, as a client would send it.</summary>
    public static Touchpoint Raw(string eventId, DateTimeOffset occurredAt, Channel channel, TouchpointKind kind, Money? amount = null) => new()
    {
        EventId = eventId,
        CustomerId = CustomerId,
        OccurredAt = occurredAt,
        Channel = channel,
        Kind = kind,
        Amount = amount,
    };

    public static Touchpoint Purchase(string eventId, DateTimeOffset occurredAt, decimal amount, Channel channel = Channel.Web, string currency = "USD") =>
        Accept(Raw(eventId, occurredAt, channel, TouchpointKind.Purchase, new Money(amount, currency)));

    public static Touchpoint Return(string eventId, DateTimeOffset occurredAt, decimal amount, Channel channel = Channel.Web, string currency = "USD") =>
        Accept(Raw(eventId, occurredAt, channel, TouchpointKind.Return, new Money(amount, currency)));

    public static Touchpoint Event(string eventId, DateTimeOffset occurredAt, Channel channel, TouchpointKind kind) =>
        Accept(Raw(eventId, occurredAt, channel, kind));

    public static Touchpoint Accept(Touchpoint raw)
    {
        var (accepted, error) = Validator().Validate(raw, Now);
        Assert.Null(error);
        return Assert.IsType<Touchpoint>(accepted);
    }

    public static Customer NewCustomer() => new(CustomerId, Now);

    /// <summary>A fresh customer with the touchpoints applied in the given order, all at <see cref="Now"/>.</summary>
    public static Customer CustomerWith(IEnumerable<Touchpoint> touchpoints, CustomerRules? rules = null)
    {
        rules ??= new CustomerRules();
        var customer = NewCustomer();
        foreach (var touchpoint in touchpoints)
        {
            customer.Apply(touchpoint, rules, Now);
        }

        return customer;
    }

    public static string Ids(IEnumerable<Touchpoint> touchpoints) => string.Join(" ", touchpoints.Select(t => t.EventId));

    /// <summary>A copy of <paramref name="items"/> in an order fixed by <paramref name="seed"/>.</summary>
    public static List<T> Shuffled<T>(IEnumerable<T> items, int seed)
    {
        var array = items.ToArray();
        new Random(seed).Shuffle(array);
        return [.. array];
    }

    public static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

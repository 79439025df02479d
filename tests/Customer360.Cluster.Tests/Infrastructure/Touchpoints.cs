using Customer360.Domain.Customers;
using Customer360.Domain.Validation;
using Customer360.Grains.Configuration;

namespace Customer360.Cluster.Tests.Infrastructure;

/// <summary>
/// Builds touchpoints the way the API hands them to a customer grain: checked by the
/// validator with the engine's default settings, so each carries a UTC event time and its
/// amount in the reporting currency (EUR).
/// </summary>
internal static class Touchpoints
{
    private static readonly Customer360Options Defaults = new();
    private static readonly TouchpointValidator Validator = new(Defaults.Limits, Defaults.ToCurrencyTable());

    public static string ReportingCurrency => Defaults.ReportingCurrency;

    public static Touchpoint Purchase(string customerId, string eventId, DateTimeOffset occurredAt, decimal amount,
        Channel channel = Channel.Web, string currency = "EUR") =>
        Accept(Raw(customerId, eventId, occurredAt, channel, TouchpointKind.Purchase, new Money(amount, currency)));

    public static Touchpoint Return(string customerId, string eventId, DateTimeOffset occurredAt, decimal amount,
        Channel channel = Channel.Web, string currency = "EUR") =>
        Accept(Raw(customerId, eventId, occurredAt, channel, TouchpointKind.Return, new Money(amount, currency)));

    /// <summary>A touchpoint without an amount: a visit, a call, an e-mail open and so on.</summary>
    public static Touchpoint Event(string customerId, string eventId, DateTimeOffset occurredAt, Channel channel, TouchpointKind kind) =>
        Accept(Raw(customerId, eventId, occurredAt, channel, kind, null));

    /// <summary>The same touchpoint for another customer.</summary>
    public static Touchpoint For(this Touchpoint touchpoint, string customerId) => touchpoint with { CustomerId = customerId };

    private static Touchpoint Raw(string customerId, string eventId, DateTimeOffset occurredAt, Channel channel,
        TouchpointKind kind, Money? amount) => new()
    {
        EventId = eventId,
        CustomerId = customerId,
        OccurredAt = occurredAt,
        Channel = channel,
        Kind = kind,
        Amount = amount,
        SourceSystem = "cluster-tests",
    };

    private static Touchpoint Accept(Touchpoint raw)
    {
        var (accepted, error) = Validator.Validate(raw, DateTimeOffset.UtcNow);
        return accepted ?? throw new ArgumentException($"Invalid test touchpoint {raw.EventId}: {error}");
    }
}

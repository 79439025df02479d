using Customer360.Domain.Customers;
using Customer360.Domain.Validation;
using Customer360.Domain.Values;

namespace Customer360.Grains.Configuration;

/// <summary>
/// The engine's settings, bound from the "Customer360" configuration section (appsettings or
/// environment variables such as <c>Customer360__Tiers__Gold=2500</c>).
/// </summary>
public sealed class Customer360Options
{
    public const string Section = "Customer360";

    /// <summary>Recent touchpoints kept in each customer's view.</summary>
    public int RecentWindow { get; set; } = 50;

    /// <summary>Most recently applied event ids each customer remembers to detect retries.</summary>
    public int IdempotencyWindow { get; set; } = 1024;

    /// <summary>Minimum value scores of the tiers, in the reporting currency.</summary>
    public TierThresholds Tiers { get; set; } = new();

    /// <summary>The currency all aggregates and scores are kept in.</summary>
    public string ReportingCurrency { get; set; } = "EUR";

    /// <summary>Units of the reporting currency per unit of each other accepted currency.</summary>
    public Dictionary<string, decimal> ExchangeRates { get; set; } = new()
    {
        ["USD"] = 0.92m,
        ["GBP"] = 1.17m,
        ["CHF"] = 1.05m,
    };

    public InputLimits Limits { get; set; } = new();

    /// <summary>How often each silo flushes batched segment updates; bounds segment staleness.</summary>
    public TimeSpan SegmentFlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often a changed segment persists its figures.</summary>
    public TimeSpan SegmentPersistInterval { get; set; } = TimeSpan.FromSeconds(1);

    public CustomerRules ToRules() => new()
    {
        RecentWindow = RecentWindow,
        IdempotencyWindow = IdempotencyWindow,
        Tiers = Tiers,
    };

    public CurrencyTable ToCurrencyTable() => new(ReportingCurrency, ExchangeRates);

    /// <summary>Null when the settings are usable, otherwise what is wrong.</summary>
    public string? Problem() =>
        RecentWindow is < 1 or > 10_000 ? "RecentWindow must be 1..10000"
        : IdempotencyWindow is < 1 or > 100_000 ? "IdempotencyWindow must be 1..100000"
        : Tiers.Problem() is { } tiers ? $"Tiers: {tiers}"
        : !CurrencyTable.IsCurrencyCode(ReportingCurrency) ? "ReportingCurrency must be an ISO-4217 code"
        : SegmentFlushInterval <= TimeSpan.Zero ? "SegmentFlushInterval must be positive"
        : null;
}

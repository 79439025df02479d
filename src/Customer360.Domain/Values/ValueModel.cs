using Customer360.Domain.Values.Models;

namespace Customer360.Domain.Values;

/// <summary>
/// A fitted population model: what every customer's live value is computed with until the next
/// fit. BG/NBD for how often customers buy and whether they are still active, Gamma-Gamma for
/// what they spend, and the population's CLV tier cut points and RFM quintiles at the fit.
/// </summary>
public sealed record ValueModel
{
    /// <summary>Numbers successful fits 1, 2, 3…; a customer's figures name the version they came from.</summary>
    public required long Version { get; init; }

    public required DateTimeOffset FittedAt { get; init; }

    /// <summary>The fit read touchpoints with event times up to this instant.</summary>
    public required DateTimeOffset CalibrationEnd { get; init; }

    public required BgNbdParameters Purchasing { get; init; }

    public required GammaGammaParameters Spending { get; init; }

    /// <summary>CLV cut points from the population's CLV percentiles at the fit.</summary>
    public required TierThresholds Tiers { get; init; }

    /// <summary>Quintile boundaries of recency (days), frequency (occasions) and monetary value (mean occasion value) at the fit.</summary>
    public required RfmQuintiles Rfm { get; init; }

    public CustomerLifetimeValueOptions Lifetime { get; init; } = new();

    /// <summary>The model's label in every customer's figures, e.g. "clv-bgnbd-gg/v3".</summary>
    public string Name => $"{NamePrefix}{Version}";

    public const string NamePrefix = "clv-bgnbd-gg/v";
}

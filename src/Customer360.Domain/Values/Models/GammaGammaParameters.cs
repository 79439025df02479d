namespace Customer360.Domain.Values.Models;

/// <summary>
/// Which Gamma-Gamma model a <see cref="GammaGammaParameters"/> holds: the ordinary model, with
/// p, q and γ finite, or one of its limits, reached when the population's spend has no spread
/// within customers (p → ∞), none between them (q → ∞), or none at all. A limit is the model's
/// own continuation to the edge of its parameter space, not another model: its expected spends
/// are the limits of the ordinary ones (see <see cref="GammaGammaModel.ExpectedAverageSpend"/>).
/// </summary>
public enum GammaGammaLimit
{
    /// <summary>The ordinary model: p, q, γ finite and positive.</summary>
    None = 0,

    /// <summary>
    /// p → ∞ with p·γ → β finite: every purchase of a customer has the same value, the customer's
    /// mean μ = p/ν, and the means μ follow an inverse-gamma(q, β) over customers. Parameters q, β.
    /// </summary>
    NoSpreadWithinCustomers = 1,

    /// <summary>
    /// q → ∞ with q/γ → ν finite: every customer has the same spend rate ν, so the same mean p/ν,
    /// and a purchase is worth Gamma(p, ν). Parameters p, ν.
    /// </summary>
    NoSpreadBetweenCustomers = 2,

    /// <summary>Both: every purchase of every customer is worth the same, the one parameter.</summary>
    NoSpread = 3,
}

/// <summary>
/// Gamma-Gamma spend parameters (Fader, Hardie &amp; Lee 2005; Fader &amp; Hardie 2013): a
/// transaction's value is Gamma(shape p, rate ν) and ν ~ Gamma(shape q, rate γ) across customers.
/// For the ordinary model (<see cref="Limit"/> = <see cref="GammaGammaLimit.None"/>) all three
/// must be finite and positive; the expected spend needs q &gt; 1 as well. A limit of the model
/// (<see cref="GammaGammaLimit"/>) is built with <see cref="WithoutSpreadWithinCustomers"/>,
/// <see cref="WithoutSpreadBetweenCustomers"/> or <see cref="WithoutSpread"/> and holds only the
/// parameters that stay finite (<see cref="Values"/>); <see cref="P"/>, <see cref="Q"/> and
/// <see cref="Gamma"/> then give the limit's values (+∞, or 0 for γ when p → ∞).
/// </summary>
public sealed record GammaGammaParameters : IValueModelParameters
{
    private static readonly string[] OrdinaryNames = ["p", "q", "gamma"];
    private static readonly string[] WithinNames = ["q", "p_gamma"];
    private static readonly string[] BetweenNames = ["p", "q_over_gamma"];
    private static readonly string[] NoSpreadNames = ["mean_spend"];

    // The limit's own parameters, in the order of Names; unused ones are 0.
    private readonly double _first;
    private readonly double _second;
    private readonly double _third;

    /// <param name="p">Shape of a transaction's value given the customer.</param>
    /// <param name="q">Shape of the customers' spend-rate distribution.</param>
    /// <param name="gamma">Rate of the customers' spend-rate distribution (γ), in the reporting currency.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is not finite and positive.</exception>
    public GammaGammaParameters(double p, double q, double gamma)
        : this(GammaGammaLimit.None, BgNbdParameters.Positive(p, nameof(P)), BgNbdParameters.Positive(q, nameof(Q)), BgNbdParameters.Positive(gamma, nameof(Gamma)))
    {
    }

    private GammaGammaParameters(GammaGammaLimit limit, double first, double second, double third)
    {
        Limit = limit;
        _first = first;
        _second = second;
        _third = third;
    }

    /// <summary>The ordinary model, or which limit of it.</summary>
    public GammaGammaLimit Limit { get; }

    /// <summary>The limit p → ∞ with p·γ → <paramref name="pGamma"/> (β): no spread within customers.</summary>
    /// <param name="q">Shape of the inverse-gamma distribution of the customers' mean spends.</param>
    /// <param name="pGamma">Its scale β, in the reporting currency.</param>
    public static GammaGammaParameters WithoutSpreadWithinCustomers(double q, double pGamma) =>
        new(GammaGammaLimit.NoSpreadWithinCustomers, BgNbdParameters.Positive(q, nameof(Q)), BgNbdParameters.Positive(pGamma, nameof(PGamma)), 0);

    /// <summary>The limit q → ∞ with q/γ → <paramref name="qOverGamma"/> (ν): no spread between customers.</summary>
    /// <param name="p">Shape of a transaction's value.</param>
    /// <param name="qOverGamma">Every customer's spend rate ν, per unit of the reporting currency.</param>
    public static GammaGammaParameters WithoutSpreadBetweenCustomers(double p, double qOverGamma) =>
        new(GammaGammaLimit.NoSpreadBetweenCustomers, BgNbdParameters.Positive(p, nameof(P)), BgNbdParameters.Positive(qOverGamma, nameof(QOverGamma)), 0);

    /// <summary>The limit p, q → ∞: every purchase of every customer is worth <paramref name="meanSpend"/>.</summary>
    public static GammaGammaParameters WithoutSpread(double meanSpend) =>
        new(GammaGammaLimit.NoSpread, BgNbdParameters.Positive(meanSpend, nameof(meanSpend)), 0, 0);

    /// <summary>
    /// The parameters of <paramref name="limit"/> from their values in the order of its
    /// <see cref="Names"/>, as <see cref="Values"/> gives them (how stored models are read back).
    /// </summary>
    /// <exception cref="ArgumentException">Not as many values as the limit has parameters, or an unknown limit.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is not finite and positive.</exception>
    public static GammaGammaParameters FromValues(GammaGammaLimit limit, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var expected = limit switch
        {
            GammaGammaLimit.None => 3,
            GammaGammaLimit.NoSpreadWithinCustomers or GammaGammaLimit.NoSpreadBetweenCustomers => 2,
            GammaGammaLimit.NoSpread => 1,
            _ => throw new ArgumentException($"unknown Gamma-Gamma limit {(int)limit}", nameof(limit)),
        };
        if (values.Count != expected)
        {
            throw new ArgumentException($"the Gamma-Gamma model {limit} has {expected} parameters, not {values.Count}", nameof(values));
        }

        return limit switch
        {
            GammaGammaLimit.None => new GammaGammaParameters(values[0], values[1], values[2]),
            GammaGammaLimit.NoSpreadWithinCustomers => WithoutSpreadWithinCustomers(values[0], values[1]),
            GammaGammaLimit.NoSpreadBetweenCustomers => WithoutSpreadBetweenCustomers(values[0], values[1]),
            _ => WithoutSpread(values[0]),
        };
    }

    /// <summary>Shape of a transaction's value given the customer; +∞ without spread within customers.</summary>
    public double P => Limit switch
    {
        GammaGammaLimit.None or GammaGammaLimit.NoSpreadBetweenCustomers => _first,
        _ => double.PositiveInfinity,
    };

    /// <summary>Shape of the customers' spend-rate distribution; +∞ without spread between customers.</summary>
    public double Q => Limit switch
    {
        GammaGammaLimit.None => _second,
        GammaGammaLimit.NoSpreadWithinCustomers => _first,
        _ => double.PositiveInfinity,
    };

    /// <summary>
    /// Rate γ of the customers' spend-rate distribution: 0 without spread within customers (p·γ
    /// stays finite), +∞ without spread between them (q/γ does), and undefined (NaN) with no
    /// spread at all, where only p γ / (q − 1) has a limit.
    /// </summary>
    public double Gamma => Limit switch
    {
        GammaGammaLimit.None => _third,
        GammaGammaLimit.NoSpreadBetweenCustomers => double.PositiveInfinity,
        GammaGammaLimit.NoSpreadWithinCustomers => 0,
        _ => double.NaN,
    };

    /// <summary>β = lim p·γ, the scale of the customers' mean spends; only without spread within customers, otherwise null.</summary>
    public double? PGamma => Limit == GammaGammaLimit.NoSpreadWithinCustomers ? _second : null;

    /// <summary>ν = lim q/γ, every customer's spend rate; only without spread between customers, otherwise null.</summary>
    public double? QOverGamma => Limit == GammaGammaLimit.NoSpreadBetweenCustomers ? _second : null;

    /// <summary>
    /// The population's mean transaction value: p γ / (q − 1) for the ordinary model, and its
    /// limits β / (q − 1), p / ν, or the one value. Null when q ≤ 1 (no finite mean).
    /// </summary>
    public double? PopulationMeanSpend => Limit switch
    {
        GammaGammaLimit.None => _second > 1 ? _first * _third / (_second - 1) : null,
        GammaGammaLimit.NoSpreadWithinCustomers => _first > 1 ? _second / (_first - 1) : null,
        GammaGammaLimit.NoSpreadBetweenCustomers => _first / _second,
        _ => _first,
    };

    public IReadOnlyList<string> Names => Limit switch
    {
        GammaGammaLimit.None => OrdinaryNames,
        GammaGammaLimit.NoSpreadWithinCustomers => WithinNames,
        GammaGammaLimit.NoSpreadBetweenCustomers => BetweenNames,
        _ => NoSpreadNames,
    };

    /// <summary>The parameters that identify the model, in the order of <see cref="Names"/>: all finite and positive.</summary>
    public IReadOnlyList<double> Values => Limit switch
    {
        GammaGammaLimit.None => [_first, _second, _third],
        GammaGammaLimit.NoSpread => [_first],
        _ => [_first, _second],
    };

    /// <summary>What the limit is, in words, for reports; empty for the ordinary model.</summary>
    public string Description => Limit switch
    {
        GammaGammaLimit.NoSpreadWithinCustomers => FormattableString.Invariant(
            $"no spread within customers (p → ∞, p·gamma → {_second:G6}): a customer's expected spend is their own mean repeat value, one without a repeat purchase the population mean {PopulationMeanSpend:G6}"),
        GammaGammaLimit.NoSpreadBetweenCustomers => FormattableString.Invariant(
            $"no spread between customers (q → ∞, q/gamma → {_second:G6}): every customer's expected spend is the population mean {PopulationMeanSpend:G6}"),
        GammaGammaLimit.NoSpread => FormattableString.Invariant(
            $"no spread at all (p, q → ∞): every purchase is worth {_first:G6}, and so is every customer's expected spend"),
        _ => string.Empty,
    };

    public override string ToString() => Limit == GammaGammaLimit.None
        ? FormattableString.Invariant($"Gamma-Gamma(p = {_first:G6}, q = {_second:G6}, gamma = {_third:G6})")
        : $"Gamma-Gamma limit: {Description}";
}

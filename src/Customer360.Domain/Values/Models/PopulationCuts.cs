namespace Customer360.Domain.Values.Models;

/// <summary>
/// Shares of the population in each value tier, from the top: by default the top 1% platinum,
/// the next 9% gold, the next 40% silver and the rest bronze.
/// </summary>
public sealed record TierShares
{
    public double Platinum { get; init; } = 0.01;

    public double Gold { get; init; } = 0.09;

    public double Silver { get; init; } = 0.40;

    /// <summary>Null when the shares are usable, otherwise what is wrong.</summary>
    public string? Problem() =>
        !IsShare(Platinum) || !IsShare(Gold) || !IsShare(Silver) ? "Tier shares must lie in [0, 1]"
        : Platinum + Gold + Silver > 1 + 1e-12 ? "Tier shares must add up to at most 1"
        : null;

    private static bool IsShare(double share) => share is >= 0 and <= 1;
}

/// <summary>A customer's RFM quintile scores, each 1 (lowest fifth) to 5 (best fifth).</summary>
public readonly record struct RfmScore(int Recency, int Frequency, int Monetary);

/// <summary>
/// RFM quintile boundaries of a population: four cut points per dimension, at the 20th, 40th,
/// 60th and 80th percentiles by nearest rank (cutₖ is the ⌈kN/5⌉-th smallest value). Frequency and
/// monetary value score 1 + (number of cut points strictly below the value); recency, where less is
/// better (time since the last purchase), scores 5 − (number of cut points strictly below it). Ties
/// share a score, so a quintile can hold more or fewer than a fifth of the population.
/// </summary>
public sealed record RfmQuintiles(IReadOnlyList<double> RecencyCuts, IReadOnlyList<double> FrequencyCuts, IReadOnlyList<double> MonetaryCuts)
{
    /// <summary>
    /// The boundaries of a population given as three equally long lists: recency (time since the
    /// last purchase, any unit; smaller is better), frequency (e.g. repeat occasions) and monetary
    /// value (e.g. mean spend).
    /// </summary>
    /// <exception cref="ArgumentException">Empty or unequal lists, or a value that is not finite.</exception>
    public static RfmQuintiles FromPopulation(IReadOnlyList<double> recency, IReadOnlyList<double> frequency, IReadOnlyList<double> monetary)
    {
        if (recency.Count == 0 || recency.Count != frequency.Count || recency.Count != monetary.Count)
        {
            throw new ArgumentException("RFM needs three non-empty lists of equal length.");
        }

        return new RfmQuintiles(Quintiles(recency), Quintiles(frequency), Quintiles(monetary));
    }

    public RfmScore Score(double recency, double frequency, double monetary) =>
        new(5 - Above(RecencyCuts, recency), 1 + Above(FrequencyCuts, frequency), 1 + Above(MonetaryCuts, monetary));

    private static int Above(IReadOnlyList<double> cuts, double value)
    {
        var count = 0;
        foreach (var cut in cuts)
        {
            if (value > cut)
            {
                count++;
            }
        }

        return count;
    }

    private static double[] Quintiles(IReadOnlyList<double> values)
    {
        var sorted = PopulationCuts.SortedFinite(values);
        var cuts = new double[4];
        for (var k = 1; k <= 4; k++)
        {
            cuts[k - 1] = sorted[PopulationCuts.NearestRank(k / 5.0, sorted.Length) - 1];
        }

        return cuts;
    }
}

/// <summary>Percentile cut points of a population's values, computed when the models are fitted.</summary>
public static class PopulationCuts
{
    /// <summary>
    /// Tier thresholds from the population's values (e.g. CLVs): platinum starts at the value of the
    /// ⌈N·platinum⌉-th highest customer, gold at the ⌈N·(platinum + gold)⌉-th, silver at the
    /// ⌈N·(platinum + gold + silver)⌉-th; a share of 0 puts that tier out of reach. Cut points are
    /// rounded to cents, as scores are, so a customer at a cut point gets that tier; customers tied
    /// at a cut point all get the higher tier, so a tier may hold a little more than its share.
    /// No cut point is below one cent: a customer worth nothing is bronze, however many others
    /// are worth nothing too (a population whose customers are mostly gone, say).
    /// </summary>
    /// <exception cref="ArgumentException">An empty population, a value that is not finite, or unusable shares.</exception>
    public static TierThresholds Tiers(IReadOnlyList<double> values, TierShares? shares = null)
    {
        shares ??= new TierShares();
        if (shares.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(shares));
        }

        var sorted = SortedFinite(values);
        Array.Reverse(sorted);
        var n = sorted.Length;
        var platinum = CutFromTop(sorted, NearestRank(shares.Platinum, n));
        var gold = CutFromTop(sorted, NearestRank(shares.Platinum + shares.Gold, n));
        var silver = CutFromTop(sorted, NearestRank(shares.Platinum + shares.Gold + shares.Silver, n));
        return new TierThresholds { Platinum = platinum, Gold = gold, Silver = silver };
    }

    /// <summary>⌈share · n⌉ clamped to [0, n], ignoring floating-point dust (0.1 · 100 is 10, not 11).</summary>
    internal static int NearestRank(double share, int n) => (int)Math.Clamp(Math.Ceiling((share * n) - 1e-9), 0, n);

    internal static double[] SortedFinite(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("The population is empty.", nameof(values));
        }

        var sorted = values.ToArray();
        if (!sorted.All(double.IsFinite))
        {
            throw new ArgumentException("Every value must be finite.", nameof(values));
        }

        Array.Sort(sorted);
        return sorted;
    }

    private static decimal CutFromTop(double[] descending, int rank) =>
        rank == 0 ? decimal.MaxValue : Math.Max(OneCent, ToCents(descending[rank - 1]));

    private const decimal OneCent = 0.01m;

    private static decimal ToCents(double value) =>
        decimal.Round((decimal)Math.Clamp(value, -1e20, 1e20), 2, MidpointRounding.ToEven);
}

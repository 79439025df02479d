namespace Customer360.Domain.Values.Models;

/// <summary>
/// The sufficient statistics of one customer for the BG/NBD and Gamma-Gamma models, in weeks:
/// <list type="bullet">
/// <item><see cref="X"/>: repeat purchase occasions, the first occasion excluded;</item>
/// <item><see cref="Tx"/> (t_x): weeks from the first occasion to the last repeat occasion, 0 when x = 0;</item>
/// <item><see cref="T"/>: weeks from the first occasion to the reference time;</item>
/// <item><see cref="MeanRepeatValue"/> (m̄): mean value of the repeat occasions, 0 when x = 0.</item>
/// </list>
/// Construction checks 0 ≤ t_x ≤ T, all finite, m̄ ≥ 0, and t_x = m̄ = 0 when x = 0.
/// </summary>
public readonly record struct CustomerValueInputs
{
    /// <exception cref="ArgumentException">The statistics are impossible; the message says which rule they break.</exception>
    public CustomerValueInputs(int x, double tx, double t, double meanRepeatValue)
    {
        if (Problem(x, tx, t, meanRepeatValue) is { } problem)
        {
            throw new ArgumentException(FormattableString.Invariant($"{problem} (x = {x}, t_x = {tx}, T = {t}, m = {meanRepeatValue})"));
        }

        X = x;
        Tx = tx;
        T = t;
        MeanRepeatValue = meanRepeatValue;
    }

    /// <summary>Repeat purchase occasions (x).</summary>
    public int X { get; }

    /// <summary>Weeks from the first to the last occasion (t_x).</summary>
    public double Tx { get; }

    /// <summary>Weeks from the first occasion to the reference time (T).</summary>
    public double T { get; }

    /// <summary>Mean value of the repeat occasions (m̄), in the reporting currency.</summary>
    public double MeanRepeatValue { get; }

    /// <summary>
    /// The statistics of a customer with <paramref name="occasions"/> purchase occasions (at least
    /// one) between the UTC day numbers <paramref name="firstDay"/> and <paramref name="lastDay"/>,
    /// whose repeat occasions are worth <paramref name="repeatValue"/> in all, as of
    /// <paramref name="referenceDay"/>: t_x = (last − first) / 7 and T = (reference − first) / 7 in
    /// whole days, so a purchase on the reference day gives t_x = T. A reference day before the
    /// last occasion (a clock behind an event) is taken as the last occasion's day.
    /// </summary>
    public static CustomerValueInputs FromOccasions(int occasions, int firstDay, int lastDay, decimal repeatValue, int referenceDay)
    {
        var x = occasions - 1;
        var reference = Math.Max(referenceDay, lastDay);
        var mean = x == 0 ? 0.0 : (double)(repeatValue / x);
        return new CustomerValueInputs(x, x == 0 ? 0.0 : (lastDay - firstDay) / DaysPerWeek, (reference - firstDay) / DaysPerWeek, mean);
    }

    private const double DaysPerWeek = 7.0;

    /// <summary>Null when the statistics are possible, otherwise the rule they break.</summary>
    public static string? Problem(int x, double tx, double t, double meanRepeatValue) =>
        x < 0 ? "repeat occasions cannot be negative"
        : !double.IsFinite(t) || t < 0 ? "T must be finite and not negative"
        : !double.IsFinite(tx) || tx < 0 || tx > t ? "t_x must lie in [0, T]"
        : !double.IsFinite(meanRepeatValue) || meanRepeatValue < 0 ? "the mean repeat value must be finite and not negative"
        : x == 0 && (tx != 0 || meanRepeatValue != 0) ? "with no repeat occasion, t_x and the mean repeat value are 0"
        : null;
}

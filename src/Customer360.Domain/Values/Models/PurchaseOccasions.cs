using Customer360.Domain.Customers;

namespace Customer360.Domain.Values.Models;

/// <summary>
/// A customer's purchase occasions, maintained one touchpoint at a time, from which
/// <see cref="CustomerValueInputs"/> are read in O(1).
/// <para>
/// A purchase occasion is a UTC calendar day with at least one purchase. Purchases on the same
/// day merge into one occasion whose value is the sum of their amounts. The first occasion opens
/// the customer's history and is not a repeat: x counts the other occasions and m̄ averages their
/// values only.
/// </para>
/// <para>
/// Returns. A return never removes an occasion: the customer did come back and buy, which is
/// what the purchase-count model measures. A return lowers the value of the occasion on the same
/// UTC day, floored at zero; a return on a day without a purchase does not touch the model (it
/// usually refers to an earlier occasion, and spreading it over past occasions would make m̄
/// depend on guesswork). Returns are kept per day, so a same-day return that arrives before its
/// purchase is applied when the purchase arrives: the statistics depend on the set of touchpoints,
/// never on their arrival order.
/// </para>
/// <para>
/// Days arrive in any order; they are kept sorted (one entry of about 40 bytes per day with a
/// purchase or a return), and a purchase on a day earlier than the first occasion turns the old
/// first occasion into a repeat.
/// </para>
/// </summary>
public sealed class PurchaseOccasions
{
    private static readonly Comparer<Entry> ByDay = Comparer<Entry>.Create((x, y) => x.Day.CompareTo(y.Day));

    private readonly List<Entry> _days = [];
    private decimal _totalValue;

    /// <summary>Number of purchase occasions, the first one included.</summary>
    public int OccasionCount { get; private set; }

    /// <summary>Repeat occasions: x = occasions − 1, or 0 with no occasion.</summary>
    public int RepeatCount => Math.Max(0, OccasionCount - 1);

    /// <summary>Day number (<see cref="DateOnly.DayNumber"/>) of the first occasion.</summary>
    public int? FirstDay { get; private set; }

    /// <summary>Day number of the last occasion.</summary>
    public int? LastDay { get; private set; }

    /// <summary>Sum of the values of the repeat occasions (the first occasion excluded).</summary>
    public decimal RepeatValue => FirstDay is { } first ? _totalValue - ValueOn(first) : 0m;

    /// <summary>The occasions in day order, with their values after same-day returns.</summary>
    public IEnumerable<(int Day, decimal Value)> Occasions =>
        _days.Where(d => d.HasPurchase).Select(d => (d.Day, d.Value));

    /// <summary>Rebuilds the occasions from a customer's daily activity.</summary>
    public static PurchaseOccasions FromDays(IEnumerable<DailyActivity> days)
    {
        var occasions = new PurchaseOccasions();
        foreach (var day in days)
        {
            occasions.Add(day.Day, day.Purchases, day.Returns, day.PurchaseCount > 0);
        }

        return occasions;
    }

    /// <summary>Adds a purchase of <paramref name="amount"/> (negative amounts count as 0) on the UTC day of <paramref name="at"/>.</summary>
    public void AddPurchase(DateTimeOffset at, decimal amount) => AddPurchase(DailyActivity.DayOf(at), amount);

    /// <summary>Adds a purchase on a day number (<see cref="DateOnly.DayNumber"/>).</summary>
    public void AddPurchase(int day, decimal amount) => Add(day, Math.Max(0m, amount), 0m, true);

    /// <summary>Adds a return on the UTC day of <paramref name="at"/>; see the class remarks for its effect.</summary>
    public void AddReturn(DateTimeOffset at, decimal amount) => AddReturn(DailyActivity.DayOf(at), amount);

    /// <summary>Adds a return on a day number (<see cref="DateOnly.DayNumber"/>).</summary>
    public void AddReturn(int day, decimal amount) => Add(day, 0m, Math.Max(0m, amount), false);

    /// <summary>The statistics as of the UTC day of <paramref name="reference"/>; null with no purchase.</summary>
    public CustomerValueInputs? ToInputs(DateTimeOffset reference) => ToInputs(DailyActivity.DayOf(reference));

    /// <summary>
    /// The statistics as of the reference day (see <see cref="CustomerValueInputs.FromOccasions"/>);
    /// null with no purchase.
    /// </summary>
    public CustomerValueInputs? ToInputs(int referenceDay) =>
        FirstDay is { } first && LastDay is { } last
            ? CustomerValueInputs.FromOccasions(OccasionCount, first, last, RepeatValue, referenceDay)
            : null;

    /// <summary>The occasions' total value: each day's purchases less its returns, floored at 0.</summary>
    public decimal TotalValue => _totalValue;

    private void Add(int day, decimal purchases, decimal returns, bool isPurchase)
    {
        var i = IndexOf(day);
        if (i >= 0)
        {
            var before = _days[i];
            var after = new Entry(day, before.Purchases + purchases, before.Returns + returns, before.HasPurchase || isPurchase);
            _days[i] = after;
            _totalValue += after.Value - before.Value;
            if (after.HasPurchase && !before.HasPurchase)
            {
                NewOccasion(day);
            }

            return;
        }

        var entry = new Entry(day, purchases, returns, isPurchase);
        _days.Insert(~i, entry);
        _totalValue += entry.Value;
        if (isPurchase)
        {
            NewOccasion(day);
        }
    }

    private void NewOccasion(int day)
    {
        OccasionCount++;
        FirstDay = FirstDay is { } first ? Math.Min(first, day) : day;
        LastDay = LastDay is { } last ? Math.Max(last, day) : day;
    }

    private decimal ValueOn(int day)
    {
        var i = IndexOf(day);
        return i >= 0 ? _days[i].Value : 0m;
    }

    /// <summary>The index of the day's entry, or the bitwise complement of where it belongs.</summary>
    private int IndexOf(int day) => _days.BinarySearch(new Entry(day, 0m, 0m, false), ByDay);

    /// <summary>One day: purchases and returns on it; its occasion value is max(0, purchases − returns).</summary>
    private readonly record struct Entry(int Day, decimal Purchases, decimal Returns, bool HasPurchase)
    {
        public decimal Value => HasPurchase ? Math.Max(0m, Purchases - Returns) : 0m;
    }
}

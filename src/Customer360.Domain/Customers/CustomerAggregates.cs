using Customer360.Domain.Values.Models;

namespace Customer360.Domain.Customers;

/// <summary>
/// The live aggregates of one customer. Every figure is a commutative function of the set of
/// applied touchpoints (counts, sums, minima, maxima by event time), so feeding the same
/// touchpoints in any order gives the same aggregates.
/// </summary>
public sealed class CustomerAggregates
{
    private readonly long[] _byChannel;
    private readonly long[] _byKind;
    private readonly long[] _lastTicksByChannel;
    private readonly List<DailyActivity> _days;

    // The sum of the purchase occasions' values (see PurchaseOccasions), kept as days change so
    // that the lifetime-value inputs are read without walking the days.
    private decimal _occasionValue;

    public CustomerAggregates()
        : this(new long[EnumRanges.ChannelCount], new long[EnumRanges.KindCount], new long[EnumRanges.ChannelCount],
            0m, 0m, 0, null, null, null, [])
    {
    }

    /// <summary>Restores aggregates from stored state.</summary>
    public CustomerAggregates(
        long[] byChannel,
        long[] byKind,
        long[] lastTicksByChannel,
        decimal grossPurchases,
        decimal totalReturns,
        long orderCount,
        DateTimeOffset? firstPurchaseAt,
        DateTimeOffset? lastPurchaseAt,
        DateTimeOffset? lastContactAt,
        IEnumerable<DailyActivity> days)
    {
        _byChannel = Resize(byChannel, EnumRanges.ChannelCount);
        _byKind = Resize(byKind, EnumRanges.KindCount);
        _lastTicksByChannel = Resize(lastTicksByChannel, EnumRanges.ChannelCount);
        GrossPurchases = grossPurchases;
        TotalReturns = totalReturns;
        OrderCount = orderCount;
        FirstPurchaseAt = firstPurchaseAt;
        LastPurchaseAt = lastPurchaseAt;
        LastContactAt = lastContactAt;
        _days = days.OrderBy(d => d.Day).ToList();
        DistinctPurchaseDays = _days.Count(d => d.PurchaseCount > 0);
        foreach (var day in _days)
        {
            _occasionValue += ValueOf(day);
        }
    }

    public ReadOnlySpan<long> ByChannel => _byChannel;

    public ReadOnlySpan<long> ByKind => _byKind;

    /// <summary>Latest event time per channel, in UTC ticks (0 when never used): breaks preferred-channel ties.</summary>
    public ReadOnlySpan<long> LastTicksByChannel => _lastTicksByChannel;

    public IReadOnlyList<DailyActivity> Days => _days;

    public long TouchpointCount
    {
        get
        {
            long total = 0;
            foreach (var n in _byChannel)
            {
                total += n;
            }

            return total;
        }
    }

    /// <summary>Sum of purchase amounts, in the reporting currency.</summary>
    public decimal GrossPurchases { get; private set; }

    /// <summary>Sum of return amounts, in the reporting currency.</summary>
    public decimal TotalReturns { get; private set; }

    /// <summary>Purchases minus returns.</summary>
    public decimal NetSpend => GrossPurchases - TotalReturns;

    /// <summary>Number of purchase touchpoints.</summary>
    public long OrderCount { get; private set; }

    /// <summary>Gross purchases over order count, rounded to cents; 0 with no orders.</summary>
    public decimal AverageOrderValue => OrderCount == 0 ? 0m : decimal.Round(GrossPurchases / OrderCount, 2, MidpointRounding.ToEven);

    public DateTimeOffset? FirstPurchaseAt { get; private set; }

    public DateTimeOffset? LastPurchaseAt { get; private set; }

    /// <summary>Number of distinct UTC calendar days with at least one purchase.</summary>
    public int DistinctPurchaseDays { get; private set; }

    /// <summary>Latest event time of any touchpoint.</summary>
    public DateTimeOffset? LastContactAt { get; private set; }

    public long CountOf(Channel channel) => _byChannel[(int)channel];

    public long CountOf(TouchpointKind kind) => _byKind[(int)kind];

    /// <summary>
    /// The channel with the most touchpoints. Ties go to the channel used most recently by
    /// event time, then to the lower enum value, so the answer never depends on arrival order.
    /// <see cref="Channel.Unspecified"/> when there are no touchpoints.
    /// </summary>
    public Channel PreferredChannel
    {
        get
        {
            var best = Channel.Unspecified;
            long bestCount = 0, bestTicks = 0;
            for (var i = 1; i < _byChannel.Length; i++)
            {
                var count = _byChannel[i];
                var ticks = _lastTicksByChannel[i];
                if (count > bestCount || (count == bestCount && count > 0 && ticks > bestTicks))
                {
                    best = (Channel)i;
                    bestCount = count;
                    bestTicks = ticks;
                }
            }

            return best;
        }
    }

    /// <summary>Applies one accepted touchpoint.</summary>
    public void Apply(Touchpoint touchpoint)
    {
        var occurredAt = touchpoint.OccurredAt.ToUniversalTime();
        var channel = (int)touchpoint.Channel;
        _byChannel[channel]++;
        _byKind[(int)touchpoint.Kind]++;
        _lastTicksByChannel[channel] = Math.Max(_lastTicksByChannel[channel], occurredAt.UtcTicks);
        LastContactAt = Max(LastContactAt, occurredAt);

        var amount = touchpoint.ReportingAmount ?? 0m;
        switch (touchpoint.Kind)
        {
            case TouchpointKind.Purchase:
                GrossPurchases += amount;
                OrderCount++;
                FirstPurchaseAt = Min(FirstPurchaseAt, occurredAt);
                LastPurchaseAt = Max(LastPurchaseAt, occurredAt);
                AddToDay(DailyActivity.DayOf(occurredAt), amount, 0m, 1);
                break;
            case TouchpointKind.Return:
                TotalReturns += amount;
                AddToDay(DailyActivity.DayOf(occurredAt), 0m, amount, 0);
                break;
        }
    }

    /// <summary>The value of all purchase occasions: each day's purchases less its returns, floored at 0.</summary>
    public decimal OccasionValue => _occasionValue;

    /// <summary>
    /// The value of the repeat purchase occasions: every occasion but the first, each worth its
    /// day's purchases less its day's returns, floored at 0 (see <see cref="PurchaseOccasions"/>).
    /// </summary>
    public decimal RepeatOccasionValue =>
        FirstPurchaseAt is { } first ? _occasionValue - ValueOf(DayAt(DailyActivity.DayOf(first))) : 0m;

    /// <summary>
    /// What the lifetime-value models read about this customer as of the UTC day
    /// <paramref name="referenceDay"/> (<see cref="DateOnly.DayNumber"/>), by the same rules as
    /// <see cref="PurchaseOccasions.ToInputs(int)"/>; null before the first purchase. O(log days).
    /// </summary>
    public CustomerValueInputs? ValueInputs(int referenceDay) =>
        FirstPurchaseAt is { } first && LastPurchaseAt is { } last
            ? CustomerValueInputs.FromOccasions(
                DistinctPurchaseDays, DailyActivity.DayOf(first), DailyActivity.DayOf(last), RepeatOccasionValue, referenceDay)
            : null;

    /// <summary>Net spend (purchases minus returns) on days in [fromDay, toDay].</summary>
    public decimal NetSpendBetween(int fromDay, int toDay)
    {
        var total = 0m;
        for (var i = LowerBound(fromDay); i < _days.Count && _days[i].Day <= toDay; i++)
        {
            total += _days[i].Purchases - _days[i].Returns;
        }

        return total;
    }

    private void AddToDay(int day, decimal purchases, decimal returns, int purchaseCount)
    {
        var i = LowerBound(day);
        if (i < _days.Count && _days[i].Day == day)
        {
            var d = _days[i];
            if (d.PurchaseCount == 0 && purchaseCount > 0)
            {
                DistinctPurchaseDays++;
            }

            var after = d with
            {
                Purchases = d.Purchases + purchases,
                Returns = d.Returns + returns,
                PurchaseCount = d.PurchaseCount + purchaseCount,
            };
            _days[i] = after;
            _occasionValue += ValueOf(after) - ValueOf(d);
        }
        else
        {
            var added = new DailyActivity(day, purchases, returns, purchaseCount);
            _days.Insert(i, added);
            _occasionValue += ValueOf(added);
            if (purchaseCount > 0)
            {
                DistinctPurchaseDays++;
            }
        }
    }

    /// <summary>A day's occasion value: max(0, purchases − returns) on a day with a purchase, else 0.</summary>
    private static decimal ValueOf(DailyActivity day) =>
        day.PurchaseCount > 0 ? Math.Max(0m, day.Purchases - day.Returns) : 0m;

    private DailyActivity DayAt(int day)
    {
        var i = LowerBound(day);
        return i < _days.Count && _days[i].Day == day ? _days[i] : default;
    }

    private int LowerBound(int day)
    {
        int lo = 0, hi = _days.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_days[mid].Day < day)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset b) => a is null || b < a ? b : a;

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset b) => a is null || b > a ? b : a;

    private static long[] Resize(long[] source, int length)
    {
        if (source.Length == length)
        {
            return (long[])source.Clone();
        }

        var copy = new long[length];
        Array.Copy(source, copy, Math.Min(length, source.Length));
        return copy;
    }
}

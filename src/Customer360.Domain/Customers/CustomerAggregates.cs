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

    // The days with a purchase, in day order, and apart from them the days with a return, in
    // day order. Most days have no return, so keeping returns apart costs each purchase day 24
    // bytes instead of the 40 of a whole DailyActivity; this is what grows with a long history
    // (a weekly shopper of five years has about 260 such days).
    private readonly List<PurchaseDay> _purchaseDays;
    private readonly List<ReturnDay> _returnDays;

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
        _purchaseDays = [];
        _returnDays = [];
        foreach (var day in days.OrderBy(d => d.Day))
        {
            var purchased = day.PurchaseCount > 0 || day.Purchases != 0m;
            if (purchased)
            {
                _purchaseDays.Add(new PurchaseDay(day.Day, day.PurchaseCount, day.Purchases));
            }

            if (day.Returns != 0m || !purchased)
            {
                _returnDays.Add(new ReturnDay(day.Day, day.Returns));
            }
        }

        _purchaseDays.TrimExcess();
        _returnDays.TrimExcess();
        foreach (var day in _purchaseDays)
        {
            if (day.PurchaseCount > 0)
            {
                DistinctPurchaseDays++;
                _occasionValue += ValueOf(day);
            }
        }
    }

    public ReadOnlySpan<long> ByChannel => _byChannel;

    public ReadOnlySpan<long> ByKind => _byKind;

    /// <summary>Latest event time per channel, in UTC ticks (0 when never used): breaks preferred-channel ties.</summary>
    public ReadOnlySpan<long> LastTicksByChannel => _lastTicksByChannel;

    /// <summary>Every day with a purchase or a return, in day order (built on each read: for snapshots and tests).</summary>
    public IReadOnlyList<DailyActivity> Days
    {
        get
        {
            var days = new List<DailyActivity>(_purchaseDays.Count + _returnDays.Count);
            int p = 0, r = 0;
            while (p < _purchaseDays.Count || r < _returnDays.Count)
            {
                var purchaseDay = p < _purchaseDays.Count ? _purchaseDays[p].Day : int.MaxValue;
                var returnDay = r < _returnDays.Count ? _returnDays[r].Day : int.MaxValue;
                var day = Math.Min(purchaseDay, returnDay);
                var purchases = purchaseDay == day ? _purchaseDays[p++] : new PurchaseDay(day, 0, 0m);
                var returns = returnDay == day ? _returnDays[r++].Returns : 0m;
                days.Add(new DailyActivity(day, purchases.Purchases, returns, purchases.PurchaseCount));
            }

            return days;
        }
    }

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
                AddPurchase(DailyActivity.DayOf(occurredAt), amount);
                break;
            case TouchpointKind.Return:
                TotalReturns += amount;
                AddReturn(DailyActivity.DayOf(occurredAt), amount);
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
        FirstPurchaseAt is { } first
            ? _occasionValue - (FindPurchaseDay(DailyActivity.DayOf(first)) is var i and >= 0 ? ValueOf(_purchaseDays[i]) : 0m)
            : 0m;

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
        for (var i = LowerBound(_purchaseDays, fromDay); i < _purchaseDays.Count && _purchaseDays[i].Day <= toDay; i++)
        {
            total += _purchaseDays[i].Purchases;
        }

        for (var i = LowerBound(_returnDays, fromDay); i < _returnDays.Count && _returnDays[i].Day <= toDay; i++)
        {
            total -= _returnDays[i].Returns;
        }

        return total;
    }

    private void AddPurchase(int day, decimal amount)
    {
        var i = LowerBound(_purchaseDays, day);
        if (i < _purchaseDays.Count && _purchaseDays[i].Day == day)
        {
            var before = _purchaseDays[i];
            var after = before with { Purchases = before.Purchases + amount, PurchaseCount = before.PurchaseCount + 1 };
            _purchaseDays[i] = after;
            _occasionValue += ValueOf(after) - ValueOf(before);
            if (before.PurchaseCount == 0)
            {
                DistinctPurchaseDays++;
            }
        }
        else
        {
            var added = new PurchaseDay(day, 1, amount);
            _purchaseDays.Insert(i, added);
            _occasionValue += ValueOf(added);
            DistinctPurchaseDays++;
        }
    }

    private void AddReturn(int day, decimal amount)
    {
        var i = LowerBound(_returnDays, day);
        var known = i < _returnDays.Count && _returnDays[i].Day == day;
        var purchaseDay = FindPurchaseDay(day);
        if (!known && amount == 0m && purchaseDay >= 0)
        {
            // Nothing to keep: the day is listed for its purchases, and the return changes no figure.
            return;
        }

        var returnsBefore = known ? _returnDays[i].Returns : 0m;
        var valueBefore = purchaseDay >= 0 ? ValueOf(_purchaseDays[purchaseDay], returnsBefore) : 0m;
        if (known)
        {
            _returnDays[i] = new ReturnDay(day, returnsBefore + amount);
        }
        else
        {
            _returnDays.Insert(i, new ReturnDay(day, amount));
        }

        if (purchaseDay >= 0)
        {
            _occasionValue += ValueOf(_purchaseDays[purchaseDay], returnsBefore + amount) - valueBefore;
        }
    }

    /// <summary>A purchase day's occasion value: max(0, purchases − returns) on a day with a purchase, else 0.</summary>
    private decimal ValueOf(PurchaseDay day) => ValueOf(day, ReturnsOn(day.Day));

    private static decimal ValueOf(PurchaseDay day, decimal returns) =>
        day.PurchaseCount > 0 ? Math.Max(0m, day.Purchases - returns) : 0m;

    private decimal ReturnsOn(int day)
    {
        var i = LowerBound(_returnDays, day);
        return i < _returnDays.Count && _returnDays[i].Day == day ? _returnDays[i].Returns : 0m;
    }

    /// <summary>The index of <paramref name="day"/> among the purchase days, or -1.</summary>
    private int FindPurchaseDay(int day)
    {
        var i = LowerBound(_purchaseDays, day);
        return i < _purchaseDays.Count && _purchaseDays[i].Day == day ? i : -1;
    }

    private static int LowerBound<T>(List<T> days, int day)
        where T : struct, IDayRecord
    {
        int lo = 0, hi = days.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (days[mid].Day < day)
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

    private interface IDayRecord
    {
        int Day { get; }
    }

    /// <summary>A day's purchases: 24 bytes.</summary>
    private readonly record struct PurchaseDay(int Day, int PurchaseCount, decimal Purchases) : IDayRecord;

    /// <summary>A day's returns, for the few days that have any.</summary>
    private readonly record struct ReturnDay(int Day, decimal Returns) : IDayRecord;
}

using System.Globalization;
using Customer360.Domain.Customers;
using Customer360.Grains.Storage;
using Google.Protobuf.WellKnownTypes;
using MathNet.Numerics.Distributions;
using ApiV1 = Customer360.Api.V1;

namespace Customer360.LoadTest.Workload;

/// <summary>
/// Makes a benchmark's touchpoints: by default a retail mix of purchases (with line items, in
/// EUR), returns and contacts across every channel, spread evenly over the customers at random,
/// with event times in the 30 days before the start of <c>asOf</c>'s UTC day. A
/// <see cref="WorkloadMix"/> changes the kinds, the channels and how unevenly customers are
/// active. The same seed, mix, id prefix and day give the same touchpoints, so a run repeated
/// with the same run id on the same day resends identical touchpoints (which the engine answers
/// DUPLICATE).
/// </summary>
internal sealed class WorkloadGenerator(int seed, WorkloadMix? mix = null)
{
    public static readonly TimeSpan EventTimeSpan = TimeSpan.FromDays(30);

    private const string Currency = "EUR";

    private static readonly string[] Categories = ["grocery", "apparel", "electronics", "home", "beauty", "toys", "sports"];

    private const int BusyOrderSeed = 0x5eed;

    private readonly WorkloadMix _mix = (mix ?? WorkloadMix.Retail).Checked();

    /// <summary>
    /// <paramref name="touchpointCount"/> touchpoints over <paramref name="customerCount"/>
    /// customers; ids are <c>{idPrefix}-C000042</c> for customers (or
    /// <c>{customerPrefix}-C000042</c> when given) and <c>{idPrefix}-E00000042</c> for events.
    /// </summary>
    public IngestWorkload Generate(string idPrefix, int touchpointCount, int customerCount, DateTimeOffset asOf, string? customerPrefix = null)
    {
        customerPrefix ??= idPrefix;
        // System.Random with a seed gives the same sequence every time on a given .NET version,
        // which is all a benchmark run needs to be repeatable.
        var random = new Random(seed);
        var pickCustomer = CustomerPicker(customerCount);
        var kinds = _mix.Kinds.Where(k => k.Value > 0).ToArray();
        var totalWeight = kinds.Sum(k => k.Value);
        var anchor = new DateTimeOffset(asOf.UtcDateTime.Date, TimeSpan.Zero);
        var logLengths = new long[customerCount];
        var touchpoints = new List<WorkloadTouchpoint>(touchpointCount);
        for (var i = 0; i < touchpointCount; i++)
        {
            var customerIndex = pickCustomer(random);
            var touchpoint = NextTouchpoint(
                random,
                kinds,
                totalWeight,
                eventId: $"{idPrefix}-E{i:D8}",
                customerId: $"{customerPrefix}-C{customerIndex:D6}",
                occurredAt: anchor - TimeSpan.FromMilliseconds(Math.Floor(random.NextDouble() * EventTimeSpan.TotalMilliseconds)));

            touchpoints.Add(new WorkloadTouchpoint
            {
                CustomerIndex = customerIndex,
                CustomerId = touchpoint.CustomerId,
                EventId = touchpoint.EventId,
                Sequence = ++logLengths[customerIndex],
                OccurredAt = touchpoint.OccurredAt,
                Fingerprint = TouchpointFingerprint.Of(touchpoint),
                Payload = LogCodec.Encode(touchpoint),
                Kind = (short)touchpoint.Kind,
                ReportingAmount = touchpoint.ReportingAmount,
                NetSpendChange = touchpoint.Kind switch
                {
                    TouchpointKind.Purchase => touchpoint.ReportingAmount ?? 0m,
                    TouchpointKind.Return => -(touchpoint.ReportingAmount ?? 0m),
                    _ => 0m,
                },
                Message = ToMessage(touchpoint),
            });
        }

        return new IngestWorkload(customerCount, touchpoints);
    }

    /// <summary>
    /// Chooses a customer index for each touchpoint: evenly, or by a Zipf law over activity ranks
    /// when the mix is skewed. Ranks are dealt to customers in a seeded random order, so the
    /// busiest customers are scattered over the id range (and over the engine's streams) rather
    /// than being the lowest ids. The order does not depend on the seed, so a warm-up and its
    /// measured phase find the same customers busy.
    /// </summary>
    private Func<Random, int> CustomerPicker(int customerCount)
    {
        if (_mix.Skew == 0)
        {
            return random => random.Next(customerCount);
        }

        var customerOfRank = Enumerable.Range(0, customerCount).ToArray();
        new Random(BusyOrderSeed).Shuffle(customerOfRank);

        // The cumulative Zipf weights; MathNet.Numerics finds a draw's rank in them by binary
        // search (its Zipf sampler walks every rank on each draw).
        var cumulative = new double[customerCount];
        var sum = 0.0;
        for (var rank = 0; rank < customerCount; rank++)
        {
            sum += Math.Pow(rank + 1, -_mix.Skew);
            cumulative[rank] = sum;
        }

        return random => customerOfRank[Categorical.InvCDFWithCumulativeDistribution(cumulative, random.NextDouble())];
    }

    private static TouchpointKind PickKind(Random random, KeyValuePair<TouchpointKind, int>[] kinds, int totalWeight)
    {
        var target = random.Next(totalWeight);
        foreach (var (kind, weight) in kinds)
        {
            target -= weight;
            if (target < 0)
            {
                return kind;
            }
        }

        return kinds[^1].Key;
    }

    /// <summary>Where the touchpoint happened: one of its kind's channels, weighted by the mix's channel weights if it has any.</summary>
    private Channel PickChannel(Random random, TouchpointKind kind)
    {
        var channels = WorkloadMix.ChannelsOf(kind);
        if (_mix.Channels is not { } weights)
        {
            return channels[random.Next(channels.Count)];
        }

        var target = random.Next(channels.Sum(c => weights.GetValueOrDefault(c)));
        foreach (var channel in channels)
        {
            target -= weights.GetValueOrDefault(channel);
            if (target < 0)
            {
                return channel;
            }
        }

        return channels[^1];
    }

    /// <summary>The touchpoint as the engine stores it once accepted: UTC event time, reporting amount filled in.</summary>
    private Touchpoint NextTouchpoint(
        Random random, KeyValuePair<TouchpointKind, int>[] kinds, int totalWeight, string eventId, string customerId, DateTimeOffset occurredAt)
    {
        var kind = PickKind(random, kinds, totalWeight);
        var channel = PickChannel(random, kind);
        var lineItems = kind switch
        {
            TouchpointKind.Purchase => LineItems(random, count: random.Next(1, 4), maxQuantity: 3),
            TouchpointKind.Return => LineItems(random, count: 1, maxQuantity: 1),
            _ => [],
        };

        // Purchases and returns carry the sum of their lines, so the figures are consistent.
        Money? amount = lineItems.Length == 0
            ? null
            : new Money(lineItems.Sum(l => l.Quantity * l.UnitPrice!.Amount), Currency);

        return new Touchpoint
        {
            EventId = eventId,
            CustomerId = customerId,
            OccurredAt = occurredAt,
            Channel = channel,
            Kind = kind,
            Amount = amount,
            // EUR is the reporting currency, so the engine stores the amount unchanged.
            ReportingAmount = amount?.Amount,
            LineItems = lineItems,
            Attributes = kind is TouchpointKind.EmailOpen or TouchpointKind.EmailClick
                ? new Dictionary<string, string>(StringComparer.Ordinal) { ["campaign"] = $"newsletter-{random.Next(1, 13):D2}" }
                : new Dictionary<string, string>(StringComparer.Ordinal),
            SourceSystem = SourceSystem(random, channel),
        };
    }

    private static LineItem[] LineItems(Random random, int count, int maxQuantity)
    {
        var items = new LineItem[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = new LineItem(
                Sku: $"SKU-{random.Next(5000):D5}",
                Category: Categories[random.Next(Categories.Length)],
                Quantity: random.Next(1, maxQuantity + 1),
                UnitPrice: new Money(Cents(LogNormalPrice(random)), Currency));
        }

        return items;
    }

    /// <summary>Most unit prices near 20 EUR, a long tail of expensive ones, none under 0.50 EUR.</summary>
    private static long LogNormalPrice(Random random)
    {
        const double medianCents = 2000;
        const double sigma = 0.9;
        var gaussian = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
        return Math.Max(50, (long)Math.Round(medianCents * Math.Exp(sigma * gaussian)));
    }

    /// <summary>An amount with exactly two decimals (12.50, not 12.5), as a till sends it.</summary>
    private static decimal Cents(long cents) => new((int)cents, 0, 0, isNegative: false, scale: 2);

    private static string SourceSystem(Random random, Channel channel) => channel switch
    {
        Channel.PointOfSale => $"till-{random.Next(200):D3}",
        Channel.Web => "web-shop",
        Channel.MobileApp => "mobile-app",
        Channel.CallCentre => "call-centre",
        Channel.Email => "email-platform",
        Channel.Support => "support-desk",
        _ => "other",
    };

    private static ApiV1.Touchpoint ToMessage(Touchpoint touchpoint)
    {
        var message = new ApiV1.Touchpoint
        {
            EventId = touchpoint.EventId,
            CustomerId = touchpoint.CustomerId,
            OccurredAt = Timestamp.FromDateTimeOffset(touchpoint.OccurredAt),
            Channel = (ApiV1.Channel)touchpoint.Channel,
            Kind = (ApiV1.TouchpointKind)touchpoint.Kind,
            Amount = ToMessage(touchpoint.Amount),
            SourceSystem = touchpoint.SourceSystem,
        };
        foreach (var line in touchpoint.LineItems)
        {
            message.LineItems.Add(new ApiV1.LineItem
            {
                Sku = line.Sku,
                Category = line.Category,
                Quantity = line.Quantity,
                UnitPrice = ToMessage(line.UnitPrice),
            });
        }

        foreach (var (key, value) in touchpoint.Attributes)
        {
            message.Attributes[key] = value;
        }

        return message;
    }

    private static ApiV1.Money? ToMessage(Money? money) => money is null
        ? null
        : new ApiV1.Money { Amount = money.Amount.ToString(CultureInfo.InvariantCulture), CurrencyCode = money.Currency };
}

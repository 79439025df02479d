using System.Globalization;
using System.Text;
using Customer360.Api.V1;
using Customer360.Cli.Import;
using Google.Protobuf.WellKnownTypes;

namespace Customer360.Cli.Seeds;

/// <summary>What a seed data set is made of.</summary>
/// <param name="Customers">Number of customers, ids C000001 upwards.</param>
/// <param name="Touchpoints">Exact number of touchpoints; at least one per customer.</param>
/// <param name="Seed">Same seed, same data, byte for byte.</param>
/// <param name="Reference">The end of the period covered; no touchpoint is at or after it.</param>
/// <param name="Days">Length of the period covered, ending at <paramref name="Reference"/>.</param>
internal sealed record SeedOptions(int Customers, int Touchpoints, ulong Seed, DateTimeOffset Reference, int Days = 730)
{
    public const int DefaultCustomers = 1000;
    public const int DefaultTouchpoints = 20_000;
    public const ulong DefaultSeed = 360;

    /// <summary>A fixed date rather than today, so the output never depends on when it is made.</summary>
    public static readonly DateTimeOffset DefaultReference = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static SeedOptions Default { get; } = new(DefaultCustomers, DefaultTouchpoints, DefaultSeed, DefaultReference);
}

/// <summary>A generated data set: touchpoints ordered by event time, and one profile per customer.</summary>
internal sealed record SeedData(IReadOnlyList<Touchpoint> Touchpoints, IReadOnlyList<UpsertProfileRequest> Profiles);

/// <summary>
/// Makes a realistic, reproducible data set for demos, load tests and manual checks. Activity
/// is skewed as in real retail: a Zipf-like few buy often, most customers appear a handful of
/// times. Each customer leans to some channels (store, web, app or a mix); purchases carry a
/// line item from a small catalogue with log-normal prices; returns are rarer, follow an
/// earlier purchase of the same customer and give back at most what it cost; opened support
/// tickets are usually resolved a few hours or days later; some customers stop coming.
/// </summary>
/// <remarks>
/// Everything comes from <see cref="SeedRandom"/> and a fixed reference date, and is written
/// with invariant formatting and '\n' line ends, so the same options give identical files.
/// </remarks>
internal sealed class SeedGenerator(SeedOptions options)
{
    private const double ZipfExponent = 1.2;
    private const double ZipfOffset = 15;

    // Channel leanings, weights in proto order: point_of_sale, call_centre, web, mobile_app, email, support, other.
    private static readonly (double Share, double[] Channels)[] Personas =
    [
        (0.35, [55, 3, 8, 4, 22, 4, 4]),   // store shopper
        (0.30, [6, 3, 45, 10, 28, 5, 3]),  // web shopper
        (0.20, [8, 2, 10, 50, 22, 5, 3]),  // app shopper
        (0.15, [25, 5, 22, 18, 22, 5, 3]), // a bit of everything
    ];

    private static readonly Channel[] ChannelOrder =
        [Channel.PointOfSale, Channel.CallCentre, Channel.Web, Channel.MobileApp, Channel.Email, Channel.Support, Channel.Other];

    // What happens on each channel. Resolved tickets are not drawn: they follow opened ones.
    private static readonly Dictionary<Channel, (TouchpointKind Kind, double Weight)[]> KindsByChannel = new()
    {
        [Channel.PointOfSale] = [(TouchpointKind.Purchase, 86), (TouchpointKind.Return, 7), (TouchpointKind.Visit, 6), (TouchpointKind.Other, 1)],
        [Channel.CallCentre] = [(TouchpointKind.Call, 65), (TouchpointKind.Purchase, 12), (TouchpointKind.Return, 3), (TouchpointKind.Complaint, 15), (TouchpointKind.Other, 5)],
        [Channel.Web] = [(TouchpointKind.Visit, 50), (TouchpointKind.Purchase, 40), (TouchpointKind.Return, 4), (TouchpointKind.Other, 6)],
        [Channel.MobileApp] = [(TouchpointKind.Visit, 55), (TouchpointKind.Purchase, 38), (TouchpointKind.Return, 3), (TouchpointKind.Other, 4)],
        [Channel.Email] = [(TouchpointKind.EmailOpen, 68), (TouchpointKind.EmailClick, 30), (TouchpointKind.Complaint, 2)],
        [Channel.Support] = [(TouchpointKind.SupportTicketOpened, 70), (TouchpointKind.Complaint, 25), (TouchpointKind.Other, 5)],
        [Channel.Other] = [(TouchpointKind.Other, 70), (TouchpointKind.Visit, 30)],
    };

    private static readonly double[] QuantityWeights = [76, 16, 5, 2, 1];

    // Relative traffic by hour of day (UTC) for web, app, email and other channels.
    private static readonly double[] OnlineHourWeights =
        [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2, 2.2, 2.3, 2.5, 3, 2.8, 2.5, 2.5, 2.8, 3.2, 3.8, 4.5, 5, 4.5, 3, 1.8];

    private readonly SeedOptions _options = Validate(options);

    public static string CustomerId(int number) => $"C{number:D6}";

    public SeedData Generate() => new(GenerateTouchpoints(), GenerateProfiles());

    /// <summary>Writes touchpoints.csv and profiles.jsonl into the directory, creating it if needed.</summary>
    public (string TouchpointsPath, string ProfilesPath) WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        var data = Generate();
        var touchpointsPath = Path.Combine(directory, "touchpoints.csv");
        var profilesPath = Path.Combine(directory, "profiles.jsonl");
        File.WriteAllText(touchpointsPath, ToCsv(data.Touchpoints), new UTF8Encoding(false));
        File.WriteAllText(profilesPath, ToJsonLines(data.Profiles), new UTF8Encoding(false));
        return (touchpointsPath, profilesPath);
    }

    public static string ToCsv(IEnumerable<Touchpoint> touchpoints)
    {
        var text = new StringBuilder().Append(TouchpointCsv.Header).Append('\n');
        foreach (var touchpoint in touchpoints)
        {
            text.Append(TouchpointCsv.Format(touchpoint)).Append('\n');
        }

        return text.ToString();
    }

    public static string ToJsonLines(IEnumerable<UpsertProfileRequest> profiles)
    {
        var text = new StringBuilder();
        foreach (var profile in profiles)
        {
            text.Append(JsonLines.Format(profile)).Append('\n');
        }

        return text.ToString();
    }

    public IReadOnlyList<Touchpoint> GenerateTouchpoints()
    {
        var random = SeedRandom.For(_options.Seed, "touchpoints");
        var catalog = BuildCatalog(random);
        var counts = AllocateActivity(random, out var heavy);
        var periodStart = _options.Reference.AddDays(-_options.Days);

        var events = new List<(Touchpoint Touchpoint, int Customer, int Order)>(_options.Touchpoints);
        for (var c = 0; c < _options.Customers; c++)
        {
            var customer = new CustomerTraits(
                CustomerId(c + 1),
                Personas[random.PickWeighted(Personas.Select(p => p.Share).ToArray())].Channels,
                random.Next(1, SeedCatalog.Stores + 1),
                random.Chance(0.55) ? "app-ios" : "app-android");

            // Heavy buyers have been around a while; anyone else may have joined recently or stopped coming.
            var spanDays = _options.Days * (heavy[c] ? 0.5 + (0.5 * random.NextDouble()) : random.NextDouble());
            var start = _options.Reference.AddDays(-Math.Max(spanDays, 7));
            var end = !heavy[c] && random.Chance(0.2)
                ? start + ((_options.Reference - start) * (0.2 + (0.6 * random.NextDouble())))
                : _options.Reference;
            if (start < periodStart)
            {
                start = periodStart;
            }

            var order = 0;
            foreach (var touchpoint in GenerateCustomer(random, catalog, customer, counts[c], start, end))
            {
                events.Add((touchpoint, c, order++));
            }
        }

        var ordered = events
            .OrderBy(e => e.Touchpoint.OccurredAt.Seconds)
            .ThenBy(e => e.Customer)
            .ThenBy(e => e.Order)
            .Select(e => e.Touchpoint)
            .ToList();
        for (var i = 0; i < ordered.Count; i++)
        {
            ordered[i].EventId = $"seed-{i + 1:D6}";
        }

        return ordered;
    }

    public IReadOnlyList<UpsertProfileRequest> GenerateProfiles()
    {
        var random = SeedRandom.For(_options.Seed, "profiles");
        var profiles = new List<UpsertProfileRequest>(_options.Customers);
        for (var c = 1; c <= _options.Customers; c++)
        {
            var given = random.Pick(SeedCatalog.GivenNames);
            var family = random.Pick(SeedCatalog.FamilyNames);
            var place = random.Pick(SeedCatalog.Places);
            var suffix = random.Chance(0.5) ? random.Next(1, 100).ToString(CultureInfo.InvariantCulture) : string.Empty;
            var email = $"{given}.{family}{suffix}@{random.Pick(SeedCatalog.EmailDomains)}".ToLowerInvariant();

            var profile = new UpsertProfileRequest
            {
                CustomerId = CustomerId(c),
                GivenName = given,
                FamilyName = family,
                Emails = new StringList { Values = { email } },
            };

            var hasPhone = random.Chance(0.55);
            if (hasPhone)
            {
                profile.PhoneNumbers = new StringList { Values = { $"+{place.PhoneCode}555{random.Next(1_000_000):D6}" } };
            }

            if (random.Chance(0.45))
            {
                profile.LoyaltyCardIds = new StringList { Values = { $"LC{random.Next(100_000, 1_000_000):D6}{c:D6}" } };
            }

            if (random.Chance(0.7))
            {
                profile.Address = new PostalAddress
                {
                    Lines = { $"{random.Pick(SeedCatalog.Streets)} {random.Next(1, 200)}" },
                    Locality = place.Locality,
                    PostalCode = $"{place.PostalPrefix}{random.Next(100, 1000)}",
                    CountryCode = place.Country,
                };
            }

            profile.SetAttributes["preferred_language"] = place.Language;
            profile.Consents.Add(Consent(random, MarketingChannel.Email, random.Chance(0.65)));
            if (hasPhone)
            {
                profile.Consents.Add(Consent(random, MarketingChannel.Sms, random.Chance(0.3)));
            }

            profiles.Add(profile);
        }

        return profiles;
    }

    private static SeedOptions Validate(SeedOptions options)
    {
        if (options.Customers is < 1 or > 999_999)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "customers must be between 1 and 999999");
        }

        if (options.Touchpoints < options.Customers)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "touchpoints must be at least the number of customers (each customer has one or more)");
        }

        if (options.Days < 7)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "the period must be at least 7 days");
        }

        return options;
    }

    /// <summary>
    /// Gives every customer one touchpoint, then hands out the rest in proportion to a Zipf-like
    /// weight by rank, ranks shuffled so the heaviest buyers are spread over the id range.
    /// </summary>
    private int[] AllocateActivity(SeedRandom random, out bool[] heavy)
    {
        var n = _options.Customers;
        var ranks = Enumerable.Range(1, n).ToArray();
        random.Shuffle(ranks);
        heavy = [.. ranks.Select(rank => rank <= Math.Max(1, n / 10))];

        var cumulative = new double[n];
        var total = 0.0;
        for (var i = 0; i < n; i++)
        {
            total += 1.0 / Math.Pow(ranks[i] + ZipfOffset, ZipfExponent);
            cumulative[i] = total;
        }

        var counts = Enumerable.Repeat(1, n).ToArray();
        for (var k = n; k < _options.Touchpoints; k++)
        {
            var index = Array.BinarySearch(cumulative, random.NextDouble() * total);
            counts[index < 0 ? Math.Min(~index, n - 1) : index]++;
        }

        return counts;
    }

    private static List<CatalogItem> BuildCatalog(SeedRandom random)
    {
        var items = new List<CatalogItem>();
        foreach (var category in SeedCatalog.Categories)
        {
            for (var i = 1; i <= SeedCatalog.SkusPerCategory; i++)
            {
                // Shelf prices end in .99, like most of them do.
                var price = Math.Max(0, Math.Floor(random.LogNormal(category.MedianPrice, category.Sigma))) + 0.99;
                items.Add(new CatalogItem($"{category.Code}-{i:D4}", category.Name, category.Weight / SeedCatalog.SkusPerCategory, Money2(price)));
            }
        }

        return items;
    }

    private IEnumerable<Touchpoint> GenerateCustomer(
        SeedRandom random, List<CatalogItem> catalog, CustomerTraits customer, int count, DateTimeOffset start, DateTimeOffset end)
    {
        var times = Enumerable.Range(0, count).Select(_ => start + ((end - start) * random.NextDouble())).Order().ToList();
        var purchases = new List<Touchpoint>();
        var returned = new HashSet<Touchpoint>(ReferenceEqualityComparer.Instance);
        var catalogWeights = catalog.Select(item => item.Weight).ToArray();

        for (var i = 0; i < count; i++)
        {
            var channel = ChannelOrder[random.PickWeighted(customer.ChannelWeights)];
            var kinds = KindsByChannel[channel];
            var kind = kinds[random.PickWeighted(kinds.Select(k => k.Weight).ToArray())].Kind;
            var at = TimeOfDay(random, times[i], channel);
            var touchpoint = new Touchpoint
            {
                CustomerId = customer.Id,
                Channel = channel,
                Kind = kind,
                OccurredAt = Timestamp.FromDateTimeOffset(at),
                SourceSystem = SourceSystem(random, channel, customer),
            };

            if (kind == TouchpointKind.Return)
            {
                var original = purchases.LastOrDefault(p => !returned.Contains(p) && p.OccurredAt.ToDateTimeOffset() is var bought && bought < at && bought > at.AddDays(-100));
                if (original is null)
                {
                    // Nothing recent to take back: this visit ends in a purchase instead.
                    touchpoint.Kind = kind = TouchpointKind.Purchase;
                }
                else
                {
                    returned.Add(original);
                    FillReturn(random, touchpoint, original);
                }
            }

            if (kind == TouchpointKind.Purchase)
            {
                FillPurchase(random, touchpoint, catalog[random.PickWeighted(catalogWeights)]);
                purchases.Add(touchpoint);
            }

            yield return touchpoint;

            if (kind == TouchpointKind.SupportTicketOpened && i + 1 < count && random.Chance(0.9))
            {
                var resolvedAt = at + TimeSpan.FromHours(random.LogNormal(20, 1.0) + 0.5);
                if (resolvedAt < _options.Reference)
                {
                    i++;
                    yield return new Touchpoint
                    {
                        CustomerId = customer.Id,
                        Channel = Channel.Support,
                        Kind = TouchpointKind.SupportTicketResolved,
                        OccurredAt = Timestamp.FromDateTimeOffset(TruncateToSecond(resolvedAt)),
                        SourceSystem = "helpdesk",
                    };
                }
            }
        }
    }

    private static void FillPurchase(SeedRandom random, Touchpoint touchpoint, CatalogItem item)
    {
        var quantity = random.PickWeighted(QuantityWeights) + 1;
        if (touchpoint.Channel == Channel.PointOfSale && random.Chance(0.15))
        {
            // Some tills send only the basket total.
            touchpoint.Amount = Eur(Money2(random.LogNormal(35, 0.8)));
            return;
        }

        touchpoint.Amount = Eur(item.UnitPrice * quantity);
        touchpoint.LineItems.Add(new LineItem { Sku = item.Sku, Category = item.Category, Quantity = quantity, UnitPrice = Eur(item.UnitPrice) });
    }

    private static void FillReturn(SeedRandom random, Touchpoint touchpoint, Touchpoint original)
    {
        var paid = decimal.Parse(original.Amount.Amount, CultureInfo.InvariantCulture);
        if (original.LineItems.Count == 0)
        {
            // Part of a basket: some of what was paid, never more.
            touchpoint.Amount = Eur(Math.Max(0.01m, decimal.Round(paid * (decimal)(0.2 + (0.8 * random.NextDouble())), 2)));
            return;
        }

        var item = original.LineItems[0];
        var quantity = item.Quantity > 1 && random.Chance(0.6) ? random.Next(1, item.Quantity) : item.Quantity;
        var unitPrice = decimal.Parse(item.UnitPrice.Amount, CultureInfo.InvariantCulture);
        touchpoint.Amount = Eur(unitPrice * quantity);
        touchpoint.LineItems.Add(new LineItem { Sku = item.Sku, Category = item.Category, Quantity = quantity, UnitPrice = Eur(unitPrice) });
    }

    /// <summary>Shops and phone lines keep opening hours; web, app and email traffic peaks in the evening.</summary>
    private DateTimeOffset TimeOfDay(SeedRandom random, DateTimeOffset moment, Channel channel)
    {
        var day = new DateTimeOffset(moment.UtcDateTime.Date, TimeSpan.Zero);
        var hour = channel is Channel.PointOfSale or Channel.CallCentre or Channel.Support
            ? random.Next(8, 20)
            : random.PickWeighted(OnlineHourWeights);
        var result = day.AddHours(hour).AddMinutes(random.Next(60)).AddSeconds(random.Next(60));

        // Only a reference time that is not midnight can put the chosen hour past it.
        return result < _options.Reference ? result : TruncateToSecond(moment);
    }

    private static string SourceSystem(SeedRandom random, Channel channel, CustomerTraits customer) => channel switch
    {
        Channel.PointOfSale => $"till-{(random.Chance(0.85) ? customer.HomeStore : random.Next(1, SeedCatalog.Stores + 1)):D3}",
        Channel.CallCentre => "callcentre-crm",
        Channel.Web => "webshop",
        Channel.MobileApp => customer.AppPlatform,
        Channel.Email => "esp-newsletter",
        Channel.Support => "helpdesk",
        _ => random.Chance(0.5) ? "partner-feed" : "survey-tool",
    };

    private Consent Consent(SeedRandom random, MarketingChannel channel, bool granted) => new()
    {
        Channel = channel,
        Granted = granted,
        UpdatedAt = Timestamp.FromDateTimeOffset(_options.Reference.AddMinutes(-random.Next(1, _options.Days * 24 * 60))),
    };

    private static DateTimeOffset TruncateToSecond(DateTimeOffset value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static decimal Money2(double value) => decimal.Round((decimal)value, 2, MidpointRounding.ToEven);

    private static Money Eur(decimal amount) =>
        new() { Amount = amount.ToString("0.00", CultureInfo.InvariantCulture), CurrencyCode = "EUR" };

    private sealed record CatalogItem(string Sku, string Category, double Weight, decimal UnitPrice);

    private sealed record CustomerTraits(string Id, double[] ChannelWeights, int HomeStore, string AppPlatform);
}

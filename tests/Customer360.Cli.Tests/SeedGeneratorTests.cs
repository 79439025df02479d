using Customer360.Api.V1;
using Customer360.Cli.Import;
using Customer360.Cli.Seeds;

namespace Customer360.Cli.Tests;

public class SeedGeneratorTests
{
    private static readonly SeedData Default = new SeedGenerator(SeedOptions.Default).Generate();

    [Fact]
    public void SameSeedGivesIdenticalFiles()
    {
        var again = new SeedGenerator(SeedOptions.Default).Generate();

        Assert.Equal(SeedGenerator.ToCsv(Default.Touchpoints), SeedGenerator.ToCsv(again.Touchpoints));
        Assert.Equal(SeedGenerator.ToJsonLines(Default.Profiles), SeedGenerator.ToJsonLines(again.Profiles));
    }

    [Fact]
    public void DifferentSeedGivesDifferentData()
    {
        var other = new SeedGenerator(SeedOptions.Default with { Seed = 361 }).Generate();

        Assert.NotEqual(SeedGenerator.ToCsv(Default.Touchpoints), SeedGenerator.ToCsv(other.Touchpoints));
        Assert.NotEqual(SeedGenerator.ToJsonLines(Default.Profiles), SeedGenerator.ToJsonLines(other.Profiles));
    }

    [Fact]
    public void WrittenFilesMatchTheGeneratedText()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"c360-seeds-{Guid.NewGuid():N}");
        try
        {
            var options = new SeedOptions(20, 200, 5, SeedOptions.DefaultReference);
            var (touchpoints, profiles) = new SeedGenerator(options).WriteTo(directory);
            var data = new SeedGenerator(options).Generate();

            Assert.Equal(SeedGenerator.ToCsv(data.Touchpoints), File.ReadAllText(touchpoints));
            Assert.Equal(SeedGenerator.ToJsonLines(data.Profiles), File.ReadAllText(profiles));
            Assert.DoesNotContain("\r", File.ReadAllText(touchpoints));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void CountsAndIdsAreExactlyAsAskedFor()
    {
        Assert.Equal(20_000, Default.Touchpoints.Count);
        Assert.Equal(1_000, Default.Profiles.Count);
        Assert.Equal("seed-000001", Default.Touchpoints[0].EventId);
        Assert.Equal("seed-020000", Default.Touchpoints[^1].EventId);
        Assert.Equal(Default.Touchpoints.Count, Default.Touchpoints.Select(t => t.EventId).Distinct().Count());
        Assert.Equal("C000001", Default.Profiles[0].CustomerId);
        Assert.Equal("C001000", Default.Profiles[^1].CustomerId);
        Assert.Equal(1_000, Default.Touchpoints.Select(t => t.CustomerId).Distinct().Count());
    }

    [Fact]
    public void EveryChannelAndKindIsPresent()
    {
        var channels = Default.Touchpoints.Select(t => t.Channel).ToHashSet();
        var kinds = Default.Touchpoints.Select(t => t.Kind).ToHashSet();

        Assert.Equal(Enum.GetValues<Channel>().Where(c => c != Channel.Unspecified).ToHashSet(), channels);
        Assert.Equal(Enum.GetValues<TouchpointKind>().Where(k => k != TouchpointKind.Unspecified).ToHashSet(), kinds);
    }

    [Fact]
    public void ActivityIsSkewedTowardsAFewHeavyCustomers()
    {
        var perCustomer = Default.Touchpoints.GroupBy(t => t.CustomerId).Select(g => g.Count()).OrderDescending().ToList();
        var topTenth = perCustomer.Take(perCustomer.Count / 10).Sum();

        Assert.True(topTenth > 0.4 * Default.Touchpoints.Count, $"top 10% hold {topTenth} of {Default.Touchpoints.Count}");
        Assert.True(perCustomer.Count(c => c <= 3) >= 50, "many customers should appear only a few times");
    }

    [Fact]
    public void TouchpointsLieInTheTwoYearsBeforeTheReferenceInTimeOrder()
    {
        var reference = SeedOptions.DefaultReference;
        var times = Default.Touchpoints.Select(t => t.OccurredAt.ToDateTimeOffset()).ToList();

        Assert.All(times, t => Assert.InRange(t, reference.AddDays(-730), reference.AddTicks(-1)));
        Assert.Equal(times.Order(), times);
        Assert.True(times[0] < reference.AddDays(-600), "the data should reach back most of the period");
    }

    [Fact]
    public void PurchasesAndReturnsCarryAmountsAndReturnsFollowAPurchaseOfAtLeastTheirValue()
    {
        var purchases = Default.Touchpoints.Where(t => t.Kind == TouchpointKind.Purchase).ToList();
        var returns = Default.Touchpoints.Where(t => t.Kind == TouchpointKind.Return).ToList();

        Assert.All(purchases.Concat(returns), t => Assert.Equal("EUR", t.Amount.CurrencyCode));
        Assert.All(Default.Touchpoints.Except(purchases).Except(returns), t => Assert.Null(t.Amount));
        Assert.InRange(returns.Count, purchases.Count / 40, purchases.Count / 5);

        var amount = (Touchpoint t) => decimal.Parse(t.Amount.Amount, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(returns.Average(amount) <= purchases.Average(amount));
        foreach (var ret in returns)
        {
            Assert.Contains(purchases, p => p.CustomerId == ret.CustomerId && p.OccurredAt < ret.OccurredAt && amount(p) >= amount(ret));
        }
    }

    [Fact]
    public void GeneratedCsvImportsWithoutASingleUnreadableLine()
    {
        var csv = SeedGenerator.ToCsv(Default.Touchpoints);

        var lines = ImportFile.ReadTouchpoints(new StringReader(csv), ImportFormat.Csv).ToList();

        Assert.All(lines, line => Assert.Null(line.Error));
        Assert.Equal(Default.Touchpoints, lines.Select(l => l.Message));
    }

    [Fact]
    public void GeneratedProfilesParseBackAndHaveNamesAndEmails()
    {
        var lines = ImportFile.ReadProfiles(new StringReader(SeedGenerator.ToJsonLines(Default.Profiles))).ToList();

        Assert.Equal(Default.Profiles, lines.Select(l => l.Message));
        Assert.All(Default.Profiles, p =>
        {
            Assert.True(p.HasGivenName && p.HasFamilyName);
            Assert.Matches(@"^[a-z]+\.[a-z]+[0-9]*@example\.(com|org|net)$", p.Emails.Values.Single());
        });
        Assert.Contains(Default.Profiles, p => p.LoyaltyCardIds?.Values.Count == 1);
    }

    [Fact]
    public void TooFewTouchpointsForTheCustomersIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SeedGenerator(new SeedOptions(10, 5, 1, SeedOptions.DefaultReference)));
    }
}

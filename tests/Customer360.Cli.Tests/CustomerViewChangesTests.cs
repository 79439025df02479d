using Customer360.Api.V1;
using Customer360.Cli.Rendering;
using Google.Protobuf.WellKnownTypes;

namespace Customer360.Cli.Tests;

public class CustomerViewChangesTests
{
    private static CustomerView View(long version, string netSpend, ValueTier tier, string[] segments, params string[] eventIds)
    {
        var view = new CustomerView
        {
            CustomerId = "C1",
            Version = version,
            Aggregates = new Aggregates { TouchpointCount = eventIds.Length, NetSpend = new Money { Amount = netSpend, CurrencyCode = "EUR" } },
            Value = new ValueScore { Tier = tier },
        };
        view.Segments.Add(segments);
        view.RecentTouchpoints.Add(eventIds.Select(id => new Touchpoint { EventId = id, Kind = TouchpointKind.Purchase, Channel = Channel.Web }));
        return view;
    }

    [Fact]
    public void NewPurchaseShowsTouchpointSpendTierAndSegmentMoves()
    {
        var before = View(1, "10.00", ValueTier.Silver, ["tier:silver", "channel:web"], "e-1");
        var after = View(2, "60.00", ValueTier.Gold, ["tier:gold", "channel:web"], "e-2", "e-1");

        var changes = CustomerViewChanges.Describe(before, after);

        Assert.Contains(changes, c => c.StartsWith("new touchpoint: purchase via web", StringComparison.Ordinal) && c.Contains("e-2"));
        Assert.Contains("touchpoints 1 -> 2", changes);
        Assert.Contains("net spend 10.00 EUR -> 60.00 EUR", changes);
        Assert.Contains("tier silver -> gold", changes);
        Assert.Contains("joined segment tier:gold", changes);
        Assert.Contains("left segment tier:silver", changes);
        Assert.DoesNotContain(changes, c => c.Contains("channel:web"));
    }

    [Fact]
    public void ProfileEditIsNamed()
    {
        var before = View(1, "0", ValueTier.Bronze, [], "e-1");
        var after = before.Clone();
        after.Version = 2;
        after.Profile = new Profile { GivenName = "Anna" };

        Assert.Equal(["profile updated"], CustomerViewChanges.Describe(before, after));
    }

    [Fact]
    public void VersionBumpWithNothingVisibleStillSaysSomethingChanged()
    {
        var before = View(1, "0", ValueTier.Bronze, [], "e-1");
        var after = before.Clone();
        after.Version = 2;

        Assert.Equal(["other changes"], CustomerViewChanges.Describe(before, after));
    }

    [Fact]
    public void AViewIsNewerWithALaterVersionOrTheSameVersionRescored()
    {
        var shown = View(2, "10.00", ValueTier.Silver, [], "e-1");
        shown.Value.ComputedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero));
        var same = shown.Clone();
        var older = shown.Clone();
        older.Version = 1;
        var later = shown.Clone();
        later.Version = 3;
        var rescored = shown.Clone();
        rescored.Value.ComputedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 3, 2, 0, 5, 0, TimeSpan.Zero));
        var olderRescored = rescored.Clone();
        olderRescored.Version = 1;

        // What a watch opened again starts with when nothing happened meanwhile: already seen.
        Assert.False(CustomerViewChanges.IsNewer(same, than: shown));
        Assert.False(CustomerViewChanges.IsNewer(older, than: shown));
        Assert.False(CustomerViewChanges.IsNewer(olderRescored, than: shown));
        Assert.True(CustomerViewChanges.IsNewer(later, than: shown));
        // A new value model or a new day rescores the customer without a new version.
        Assert.True(CustomerViewChanges.IsNewer(rescored, than: shown));
        Assert.False(CustomerViewChanges.IsNewer(shown, than: rescored));
    }
}

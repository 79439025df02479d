using Customer360.Domain.Customers;
using Customer360.Domain.Segments;
using Customer360.Domain.Tests.Customers;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Segments;

public sealed class SegmentContributionTests
{
    [Fact]
    public void NewCustomerIsBronzeWithNoChannel()
    {
        Assert.Equal(
            [new SegmentContribution("tier:bronze", 0m, 0m), new SegmentContribution("channel:none", 0m, 0m)],
            NewCustomer().SegmentContributions());
    }

    [Fact]
    public void CustomerWithOnlyAProfileHasNoChannel()
    {
        var customer = NewCustomer();
        customer.Apply(new ProfilePatch { GivenName = "Ada" }, new CustomerRules(), Now);

        Assert.Equal("channel:none", customer.SegmentContributions()[1].SegmentId);
    }

    [Fact]
    public void ContributionCarriesLifetimeNetSpendAndTheValueScore()
    {
        // 2000 was spent more than a year ago: it counts in net spend but not in the score.
        var customer = CustomerWith(
            [
                Purchase("old", Day(-500), 2000m, Channel.PointOfSale),
                Purchase("p1", Day(-3), 1200m, Channel.Web),
                Return("r1", Day(-2), 100m, Channel.Web),
            ]);

        Assert.Equal(
            [new SegmentContribution("tier:gold", 3100m, 1100m), new SegmentContribution("channel:web", 3100m, 1100m)],
            customer.SegmentContributions());
    }

    [Fact]
    public void ThereIsExactlyOneContributionPerDimension()
    {
        var customer = CustomerWith(MixedHistory.Touchpoints());

        var dimensions = customer.SegmentContributions().Select(c => SegmentId.Split(c.SegmentId).Dimension);

        Assert.Equal(SegmentId.Dimensions, dimensions);
        Assert.All(customer.SegmentContributions(), c => Assert.True(SegmentId.IsKnown(c.SegmentId), c.SegmentId));
    }

    [Fact]
    public void ChannelSegmentFollowsThePreferredChannel()
    {
        var rules = new CustomerRules();
        var customer = CustomerWith([Event("w1", Day(-5), Channel.Web, TouchpointKind.Visit)]);
        Assert.Equal("channel:web", customer.SegmentContributions()[1].SegmentId);

        customer.Apply(Event("m1", Day(-4), Channel.MobileApp, TouchpointKind.Visit), rules, Now);
        Assert.Equal("channel:mobile_app", customer.SegmentContributions()[1].SegmentId);

        customer.Apply(Event("w2", Day(-30), Channel.Web, TouchpointKind.Visit), rules, Now);
        Assert.Equal("channel:web", customer.SegmentContributions()[1].SegmentId);
    }

    [Fact]
    public void TierSegmentFollowsTheValueTier()
    {
        var rules = new CustomerRules();
        var customer = CustomerWith([Purchase("p1", Day(-5), 199.99m)]);
        Assert.Equal("tier:bronze", customer.SegmentContributions()[0].SegmentId);

        customer.Apply(Purchase("p2", Day(-4), 0.01m), rules, Now);
        Assert.Equal("tier:silver", customer.SegmentContributions()[0].SegmentId);

        customer.Apply(Purchase("p3", Day(-3), 4800m), rules, Now);
        Assert.Equal("tier:platinum", customer.SegmentContributions()[0].SegmentId);
    }
}

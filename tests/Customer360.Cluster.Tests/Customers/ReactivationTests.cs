using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using Customer360.Domain.Segments;
using static Customer360.Cluster.Tests.Infrastructure.Touchpoints;

namespace Customer360.Cluster.Tests.Customers;

/// <summary>
/// Grains are deactivated when idle and come back from storage on the next call, possibly on
/// the other silo. What they come back with must be exactly what they had.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class ReactivationTests(ClusterFixture fixture)
{
    [Fact]
    public async Task CustomerComesBackFromStorageUnchanged()
    {
        var id = TestIds.NewCustomerId("reactivated");
        var customer = fixture.Customer(id);
        var now = DateTimeOffset.UtcNow;
        var purchase = Purchase(id, "p1", now.AddDays(-3), 640m, Channel.PointOfSale, "GBP") with
        {
            LineItems = [new LineItem("sku-1", "shoes", 2, new Money(320m, "GBP"))],
            Attributes = new Dictionary<string, string> { ["store"] = "berlin-3" },
        };
        await customer.RecordTouchpointAsync(purchase);
        await customer.RecordTouchpointAsync(Return(id, "r1", now.AddDays(-2), 20m, Channel.Web));
        await customer.RecordTouchpointAsync(Event(id, "v1", now.AddDays(-1), Channel.MobileApp, TouchpointKind.Visit));
        await customer.UpsertProfileAsync(new ProfilePatch
        {
            GivenName = "Ada",
            FamilyName = "Lovelace",
            Emails = ["ada@example.org"],
            Address = new PostalAddress(["12 Analytical Row"], "London", "", "N1 9GU", "GB"),
            SetAttributes = new Dictionary<string, string> { ["segment-note"] = "early adopter" },
            Consents = [new Consent(MarketingChannel.Email, true, now.AddDays(-10))],
        });
        var before = Assert.IsType<CustomerView>(await customer.GetViewAsync());

        await DeactivateIdleGrainsAsync();

        var after = Assert.IsType<CustomerView>(await customer.GetViewAsync());
        Assert.Equal(Describe(before), Describe(after));
        var stored = Assert.Single(after.RecentTouchpoints, t => t.EventId == "p1");
        Assert.Equal(new Money(640m, "GBP"), stored.Amount);
        Assert.Equal(748.80m, stored.ReportingAmount);
        Assert.Equal(new LineItem("sku-1", "shoes", 2, new Money(320m, "GBP")), Assert.Single(stored.LineItems));
        Assert.Equal("berlin-3", stored.Attributes["store"]);

        // The remembered event ids came back too: a retry is still recognised.
        var retry = await customer.RecordTouchpointAsync(purchase);
        Assert.Equal(TouchpointStatus.Duplicate, retry.Status);
        var next = await customer.RecordTouchpointAsync(Event(id, "v2", now, Channel.Web, TouchpointKind.Visit));
        Assert.Equal(new TouchpointResult("v2", TouchpointStatus.Accepted, before.Version + 1), next);
    }

    [Fact]
    public async Task SegmentMembershipComesBackFromStorage()
    {
        var id = TestIds.NewCustomerId("segment-reactivated");
        var segmentId = SegmentId.ForChannel(Channel.CallCentre);
        await fixture.Customer(id).RecordTouchpointAsync(Purchase(id, "p1", DateTimeOffset.UtcNow.AddHours(-1), 4321.09m, Channel.CallCentre));
        var segment = fixture.Segment(segmentId);
        var joined = await Eventually.PollAsync(() => segment.GetAsync(100), f => f.TopMembers.Any(m => m.CustomerId == id));
        Assert.Contains(joined.TopMembers, m => m.CustomerId == id);

        await DeactivateIdleGrainsAsync();

        var member = Assert.Single((await segment.GetAsync(100)).TopMembers, m => m.CustomerId == id);
        Assert.Equal(4321.09m, member.ValueScore);
        Assert.Equal(4321.09m, member.NetSpend);
    }

    [Fact]
    public async Task ACustomerWokenOnlyForSegmentRecoveryOrARescoreGoesBackToSleep()
    {
        var id = TestIds.NewCustomerId("woken");
        var customer = fixture.Customer(id);
        await customer.RecordTouchpointAsync(Purchase(id, "p1", DateTimeOffset.UtcNow.AddHours(-1), 12.50m, Channel.Web));
        await DeactivateIdleGrainsAsync();
        Assert.False(await IsActiveAsync(customer));

        // Recovery after a restart wakes every customer changed since the last checkpoint, and
        // the re-scoring sweep wakes every customer: neither may leave them all in memory.
        await customer.RestateSegmentsAsync();
        Assert.False(await Eventually.PollAsync(() => IsActiveAsync(customer), active => !active, TimeSpan.FromSeconds(20)));

        await customer.RefreshValueAsync(0);
        Assert.False(await Eventually.PollAsync(() => IsActiveAsync(customer), active => !active, TimeSpan.FromSeconds(20)));

        // A customer somebody is using stays.
        await customer.GetViewAsync();
        await customer.RestateSegmentsAsync();
        Assert.True(await IsActiveAsync(customer));
    }

    private async Task<bool> IsActiveAsync(ICustomerGrain customer)
    {
        var statistics = await fixture.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.Any(s => s.GrainId == customer.GetGrainId());
    }

    private Task DeactivateIdleGrainsAsync() =>
        fixture.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    // Records holding lists compare by reference; compare views by their content instead.
    private static string Describe(CustomerView v) => string.Join("\n",
        $"{v.CustomerId} v{v.Version} created {v.CreatedAt:O} updated {v.UpdatedAt:O}",
        $"profile {v.Profile.GivenName} {v.Profile.FamilyName} [{string.Join(",", v.Profile.Emails)}] {v.Profile.Address?.Locality} "
            + $"{v.Profile.Address?.PostalCode} {string.Join(",", v.Profile.Address?.Lines ?? [])} "
            + $"[{string.Join(",", v.Profile.Attributes.Select(a => $"{a.Key}={a.Value}"))}] "
            + $"[{string.Join(",", v.Profile.Consents.Select(c => $"{c.Channel}:{c.Granted}:{c.UpdatedAt:O}"))}]",
        $"aggregates {v.Aggregates with { ByChannel = [], ByKind = [] }} [{string.Join(",", v.Aggregates.ByChannel)}] [{string.Join(",", v.Aggregates.ByKind)}]",
        $"value {v.Value}",
        $"segments {string.Join(",", v.Segments)}",
        $"recent {string.Join(",", v.RecentTouchpoints.Select(t => $"{t.EventId}@{t.OccurredAt:O}:{t.Channel}:{t.Kind}:{t.ReportingAmount}"))}");
}

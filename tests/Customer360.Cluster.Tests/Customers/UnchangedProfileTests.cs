using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using Customer360.Grains.Storage;

namespace Customer360.Cluster.Tests.Customers;

/// <summary>
/// A profile upsert that changes nothing (a profile file imported twice, a nightly export from
/// an upstream system) writes nothing: no log entry, no new version. But only an activation that
/// is current may say so.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class UnchangedProfileTests(ClusterFixture fixture)
{
    private static readonly DateTimeOffset ConsentedAt = new(2025, 3, 9, 23, 42, 0, TimeSpan.Zero);

    private static ProfilePatch Ada() => new()
    {
        GivenName = "Ada",
        FamilyName = "Lovelace",
        Emails = ["ada@example.org"],
        Address = new PostalAddress(["12 St James's Square"], "London", "", "SW1Y 4JH", "GB"),
        SetAttributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["lang"] = "en" },
        Consents = [new Consent(MarketingChannel.Email, true, ConsentedAt)],
    };

    private MemoryCustomerStore Log => MemoryCustomerStore.ForService(fixture.Cluster.Options.ServiceId);

    [Fact]
    public async Task TheSameProfileAgainIsAnsweredWithoutANewVersionOrLogEntry()
    {
        var id = TestIds.NewCustomerId("unchanged");
        var customer = fixture.Customer(id);
        var first = await customer.UpsertProfileAsync(Ada());
        var created = Assert.IsType<CustomerView>(first.View);

        // Sent again whole, in new objects, and as a part of it.
        var sentAgain = await customer.UpsertProfileAsync(Ada());
        var again = Assert.IsType<CustomerView>(sentAgain.View);
        var sentPart = await customer.UpsertProfileAsync(new ProfilePatch { FamilyName = "Lovelace", Emails = ["ada@example.org"] });
        var part = Assert.IsType<CustomerView>(sentPart.View);

        Assert.Equal((true, false, false), (first.Changed, sentAgain.Changed, sentPart.Changed));
        Assert.Equal(1, created.Version);
        Assert.Equal((1, created.UpdatedAt), (again.Version, again.UpdatedAt));
        Assert.Equal((1, created.UpdatedAt), (part.Version, part.UpdatedAt));
        Assert.Equal("Lovelace", again.Profile.FamilyName);
        Assert.Single(await Log.ReadEntriesAsync(id, 0));

        // A change is written as before: here, one consent given again at a later time.
        var later = await customer.UpsertProfileAsync(new ProfilePatch { Consents = [new Consent(MarketingChannel.Email, true, ConsentedAt.AddDays(1))] });

        Assert.Equal(2, later.View?.Version);
        Assert.True(later.Changed);
        Assert.Equal(2, (await Log.ReadEntriesAsync(id, 0)).Count);
    }

    [Fact]
    public async Task AnActivationLeftBehindByAWriteElsewhereDoesNotAnswerForTheStoredProfile()
    {
        var id = TestIds.NewCustomerId("unchanged-stale");
        var customer = fixture.Customer(id);
        Assert.Equal(1, (await customer.UpsertProfileAsync(Ada())).View?.Version);

        // Another activation of the customer (possible for a moment while a cluster
        // reconfigures) renames her, behind this one's back.
        Assert.True(await Log.AppendAsync(CustomerLogEntry.For(id, new ProfilePatch { FamilyName = "King" }, 2, DateTimeOffset.UtcNow)));

        // To this activation, Ada Lovelace again changes nothing; to the log it does.
        await Assert.ThrowsAsync<CustomerStoreUnavailableException>(() => customer.UpsertProfileAsync(Ada()));

        // The retry reaches the customer rebuilt from the log, and is applied.
        var retry = await customer.UpsertProfileAsync(Ada());
        var retried = Assert.IsType<CustomerView>(retry.View);
        Assert.True(retry.Changed);
        Assert.Equal(3, retried.Version);
        Assert.Equal("Lovelace", retried.Profile.FamilyName);
        Assert.Equal(3, (await Log.ReadEntriesAsync(id, 0)).Count);
    }
}

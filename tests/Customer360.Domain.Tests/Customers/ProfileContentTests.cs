using Customer360.Domain.Customers;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Customers;

public sealed class ProfileContentTests
{
    private static CustomerProfile Ada() => new()
    {
        GivenName = "Ada",
        FamilyName = "Lovelace",
        Emails = ["ada@example.com", "ada@work.example"],
        PhoneNumbers = ["+44 20 7946 0000"],
        LoyaltyCardIds = ["LC-1"],
        Address = new PostalAddress(["12 St James's Square", "St James's"], "London", "", "SW1Y 4JH", "GB"),
        Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["lang"] = "en", ["segment"] = "vip" },
        Consents = [new Consent(MarketingChannel.Email, true, Utc(2025, 1, 1)), new Consent(MarketingChannel.Sms, false, Utc(2025, 1, 1))],
    };

    [Fact]
    public void EqualContentInOtherObjectsIsTheSame()
    {
        var a = Ada();
        var b = Ada();

        Assert.NotEqual(a, b); // record equality compares the lists by reference
        Assert.True(a.HasSameContentAs(b));
        Assert.True(a.HasSameContentAs(a));
        Assert.True(CustomerProfile.Empty.HasSameContentAs(new CustomerProfile()));
    }

    public static TheoryData<string, Func<CustomerProfile, CustomerProfile>> Changes => new()
    {
        { "given name", p => p with { GivenName = "ada" } },
        { "family name", p => p with { FamilyName = "King" } },
        { "an email", p => p with { Emails = ["ada@example.com"] } },
        { "the emails' order", p => p with { Emails = ["ada@work.example", "ada@example.com"] } },
        { "a phone number", p => p with { PhoneNumbers = ["+44 20 7946 0001"] } },
        { "a loyalty card", p => p with { LoyaltyCardIds = [] } },
        { "an address line", p => p with { Address = p.Address! with { Lines = ["12 St James's Square"] } } },
        { "the locality", p => p with { Address = p.Address! with { Locality = "Londres" } } },
        { "the region", p => p with { Address = p.Address! with { Region = "Greater London" } } },
        { "the postal code", p => p with { Address = p.Address! with { PostalCode = "SW1Y 4JJ" } } },
        { "the country", p => p with { Address = p.Address! with { CountryCode = "IE" } } },
        { "no address", p => p with { Address = null } },
        { "an attribute's value", p => p with { Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["lang"] = "fr", ["segment"] = "vip" } } },
        { "an attribute fewer", p => p with { Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["lang"] = "en" } } },
        { "another attribute key", p => p with { Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["lang"] = "en", ["tier"] = "vip" } } },
        { "a consent withdrawn", p => p with { Consents = [new Consent(MarketingChannel.Email, false, Utc(2025, 1, 1)), p.Consents[1]] } },
        { "a consent's time", p => p with { Consents = [new Consent(MarketingChannel.Email, true, Utc(2025, 1, 2)), p.Consents[1]] } },
        { "a consent fewer", p => p with { Consents = [p.Consents[0]] } },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void EveryFieldCounts(string change, Func<CustomerProfile, CustomerProfile> apply)
    {
        var changed = apply(Ada());

        Assert.False(Ada().HasSameContentAs(changed), change);
        Assert.False(changed.HasSameContentAs(Ada()), change);
    }

    [Fact]
    public void APatchThatRestatesTheProfileLeavesItTheSame()
    {
        var stored = Ada();
        var restated = stored.With(new ProfilePatch
        {
            GivenName = "Ada",
            Emails = ["ada@example.com", "ada@work.example"],
            Address = new PostalAddress(["12 St James's Square", "St James's"], "London", "", "SW1Y 4JH", "GB"),
            SetAttributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["lang"] = "en" },
            Consents = [new Consent(MarketingChannel.Sms, false, Utc(2025, 1, 1))],
        });

        Assert.True(stored.HasSameContentAs(restated));
        Assert.False(stored.HasSameContentAs(stored.With(new ProfilePatch { RemoveAttributes = ["segment"] })));
    }
}

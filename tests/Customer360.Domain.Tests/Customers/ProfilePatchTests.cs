using Customer360.Domain.Customers;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Customers;

public sealed class ProfilePatchTests
{
    private static readonly DateTimeOffset Earlier = Utc(2025, 1, 1);

    private static readonly CustomerProfile Stored = new()
    {
        GivenName = "Ada",
        FamilyName = "Lovelace",
        Emails = ["ada@example.com", "ada@work.example"],
        PhoneNumbers = ["+44 20 7946 0000"],
        LoyaltyCardIds = ["LC-1"],
        Address = new PostalAddress(["12 St James's Square"], "London", "", "SW1Y 4JH", "GB"),
        Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["lang"] = "en", ["segment"] = "vip" },
        Consents =
        [
            new Consent(MarketingChannel.Email, true, Earlier),
            new Consent(MarketingChannel.Sms, false, Earlier),
        ],
    };

    [Fact]
    public void EmptyPatchLeavesEveryField()
    {
        var result = Stored.With(new ProfilePatch());

        Assert.Equal("Ada", result.GivenName);
        Assert.Equal("Lovelace", result.FamilyName);
        Assert.Same(Stored.Emails, result.Emails);
        Assert.Same(Stored.PhoneNumbers, result.PhoneNumbers);
        Assert.Same(Stored.LoyaltyCardIds, result.LoyaltyCardIds);
        Assert.Same(Stored.Address, result.Address);
        Assert.Same(Stored.Attributes, result.Attributes);
        Assert.Same(Stored.Consents, result.Consents);
    }

    [Fact]
    public void PresentFieldsReplaceAndAbsentFieldsStay()
    {
        var result = Stored.With(new ProfilePatch { FamilyName = "King", Emails = ["countess@example.com"] });

        Assert.Equal("Ada", result.GivenName);
        Assert.Equal("King", result.FamilyName);
        Assert.Equal(["countess@example.com"], result.Emails);
        Assert.Equal(["+44 20 7946 0000"], result.PhoneNumbers);
        Assert.Equal(["LC-1"], result.LoyaltyCardIds);
    }

    [Fact]
    public void PresentListReplacesRatherThanAppends()
    {
        var result = Stored.With(new ProfilePatch { PhoneNumbers = ["+1 555 0100", "+1 555 0101"], LoyaltyCardIds = ["LC-2"] });

        Assert.Equal(["+1 555 0100", "+1 555 0101"], result.PhoneNumbers);
        Assert.Equal(["LC-2"], result.LoyaltyCardIds);
    }

    [Fact]
    public void EmptyListClears()
    {
        var result = Stored.With(new ProfilePatch { Emails = [], PhoneNumbers = [], LoyaltyCardIds = [] });

        Assert.Empty(result.Emails);
        Assert.Empty(result.PhoneNumbers);
        Assert.Empty(result.LoyaltyCardIds);
        Assert.Equal("Ada", result.GivenName);
    }

    [Fact]
    public void EmptyNameClearsIt()
    {
        var result = Stored.With(new ProfilePatch { GivenName = "" });

        Assert.Equal("", result.GivenName);
        Assert.Equal("Lovelace", result.FamilyName);
    }

    [Fact]
    public void PresentAddressReplacesTheWholeAddress()
    {
        var moved = new PostalAddress(["1 Main St", "Apt 2"], "Springfield", "IL", "62701", "US");

        var result = Stored.With(new ProfilePatch { Address = moved });

        Assert.Same(moved, result.Address);
    }

    [Fact]
    public void AnEmptyAddressClearsTheStoredOne()
    {
        var result = Stored.With(new ProfilePatch { Address = new PostalAddress([], "", "", "", "") });

        Assert.Null(result.Address);
        Assert.False(result.HasSameContentAs(Stored));
        Assert.Equal(Stored.Emails, result.Emails);
    }

    [Fact]
    public void AnAddressWithOnlyACountryIsKept()
    {
        var result = Stored.With(new ProfilePatch { Address = new PostalAddress([], "", "", "", "FR") });

        Assert.Equal("FR", result.Address?.CountryCode);
        Assert.Equal("", result.Address?.Locality);
    }

    [Fact]
    public void AttributesAreMergedKeyByKey()
    {
        var result = Stored.With(new ProfilePatch
        {
            SetAttributes = new Dictionary<string, string> { ["lang"] = "fr", ["tz"] = "Europe/Paris" },
            RemoveAttributes = ["segment", "never-set"],
        });

        Assert.Equal(
            [new("lang", "fr"), new("tz", "Europe/Paris")],
            result.Attributes.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList());
        // The stored profile is a value: patching returns a new one.
        Assert.Equal("en", Stored.Attributes["lang"]);
        Assert.Equal(2, Stored.Attributes.Count);
    }

    [Fact]
    public void AttributeBothRemovedAndSetInOnePatchEndsUpSet()
    {
        var result = Stored.With(new ProfilePatch
        {
            SetAttributes = new Dictionary<string, string> { ["lang"] = "de" },
            RemoveAttributes = ["lang"],
        });

        Assert.Equal("de", result.Attributes["lang"]);
    }

    [Fact]
    public void AttributeKeysAreCaseSensitive()
    {
        var result = Stored.With(new ProfilePatch
        {
            SetAttributes = new Dictionary<string, string> { ["Lang"] = "fr" },
            RemoveAttributes = ["SEGMENT"],
        });

        Assert.Equal("en", result.Attributes["lang"]);
        Assert.Equal("fr", result.Attributes["Lang"]);
        Assert.Equal("vip", result.Attributes["segment"]);
    }

    [Fact]
    public void ConsentsAreReplacedPerChannelAndKeptInChannelOrder()
    {
        var post = new Consent(MarketingChannel.Post, true, Now);
        var emailWithdrawn = new Consent(MarketingChannel.Email, false, Now);

        var result = Stored.With(new ProfilePatch { Consents = [post, emailWithdrawn] });

        Assert.Equal(
            [emailWithdrawn, new Consent(MarketingChannel.Sms, false, Earlier), post],
            result.Consents);
    }

    [Fact]
    public void ConsentsAreKeptInChannelOrderWhateverOrderTheyArrived()
    {
        var post = new Consent(MarketingChannel.Post, true, Earlier);
        var sms = new Consent(MarketingChannel.Sms, true, Now);
        var email = new Consent(MarketingChannel.Email, false, Now);

        var result = CustomerProfile.Empty.With(new ProfilePatch { Consents = [post] }).With(new ProfilePatch { Consents = [sms, email] });

        Assert.Equal([email, sms, post], result.Consents);
    }

    [Fact]
    public void ConsentsOnAnEmptyProfileAreSet()
    {
        var push = new Consent(MarketingChannel.Push, true, Now);

        var result = CustomerProfile.Empty.With(new ProfilePatch { Consents = [push] });

        Assert.Equal([push], result.Consents);
        Assert.Empty(CustomerProfile.Empty.Consents);
    }

    [Fact]
    public void CustomerProfilePatchBumpsVersionAndLeavesAggregates()
    {
        var customer = CustomerWith([Purchase("p1", Day(-1), 40m)]);
        var before = CustomerSnapshot.Of(customer);
        var later = Now.AddMinutes(1);

        customer.Apply(new ProfilePatch { GivenName = "Grace" }, new CustomerRules(), later);

        Assert.Equal("Grace", customer.Profile.GivenName);
        Assert.Equal(before with { Version = 2 }, CustomerSnapshot.Of(customer));
        Assert.Equal(later, customer.UpdatedAt);
    }
}

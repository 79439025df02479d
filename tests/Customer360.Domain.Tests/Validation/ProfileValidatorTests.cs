using Customer360.Domain.Customers;
using Customer360.Domain.Validation;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Validation;

public sealed class ProfileValidatorTests
{
    private static readonly ProfileValidator Validator = new(new InputLimits());

    private static readonly PostalAddress Address = new(["1 Main St"], "Springfield", "IL", "62701", "US");

    private static ProfilePatch FullPatch() => new()
    {
        GivenName = "Ada",
        FamilyName = "Lovelace",
        Emails = ["ada@example.com"],
        PhoneNumbers = ["+44 20 7946 0000"],
        LoyaltyCardIds = ["LC-1"],
        Address = Address,
        SetAttributes = new Dictionary<string, string> { ["lang"] = "en" },
        RemoveAttributes = ["old"],
        Consents = [new Consent(MarketingChannel.Email, true, Now)],
    };

    private static string? FieldOf(ProfilePatch patch, string customerId = CustomerId) => Validator.Check(customerId, patch)?.Field;

    [Fact]
    public void WellFormedPatchIsAccepted()
    {
        Assert.Null(Validator.Check(CustomerId, FullPatch()));
        Assert.Null(Validator.Check(CustomerId, new ProfilePatch()));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" customer")]
    [InlineData("cust\nomer")]
    public void BadCustomerIdIsRejected(string customerId)
    {
        Assert.Equal("customer_id", FieldOf(FullPatch(), customerId));
    }

    [Fact]
    public void CustomerIdOver128CharactersIsRejected()
    {
        Assert.Equal("customer_id", FieldOf(FullPatch(), new string('c', 129)));
    }

    [Fact]
    public void NamesAreLimitedInLengthAndFreeOfControlCharacters()
    {
        Assert.Equal("given_name", FieldOf(FullPatch() with { GivenName = new string('n', 257) }));
        Assert.Equal("family_name", FieldOf(FullPatch() with { FamilyName = "Love\u0000lace" }));
        Assert.Null(FieldOf(FullPatch() with { GivenName = new string('n', 256), FamilyName = "" }));
    }

    [Fact]
    public void IdentifierListsAreLimitedToTenEntries()
    {
        var eleven = Enumerable.Range(0, 11).Select(i => $"id{i}").ToList();
        var ten = eleven.Take(10).ToList();
        var tenEmails = ten.Select(id => $"{id}@example.org").ToList();

        Assert.Equal("emails", FieldOf(FullPatch() with { Emails = eleven }));
        Assert.Equal("phone_numbers", FieldOf(FullPatch() with { PhoneNumbers = eleven }));
        Assert.Equal("loyalty_card_ids", FieldOf(FullPatch() with { LoyaltyCardIds = eleven }));
        Assert.Null(FieldOf(FullPatch() with { Emails = tenEmails, PhoneNumbers = ten, LoyaltyCardIds = ten }));
    }

    [Fact]
    public void IdentifierEntriesMustBeNonEmptyAndWellFormed()
    {
        Assert.Equal("emails[1]", FieldOf(FullPatch() with { Emails = ["a@example.com", ""] }));
        Assert.Equal("phone_numbers[0]", FieldOf(FullPatch() with { PhoneNumbers = ["+1\t555"] }));
        Assert.Equal("loyalty_card_ids[0]", FieldOf(FullPatch() with { LoyaltyCardIds = [new string('l', 257)] }));
    }

    [Fact]
    public void AddressPartsAreChecked()
    {
        var tooLong = new string('a', 257);

        Assert.Equal("address.lines", FieldOf(FullPatch() with { Address = Address with { Lines = Enumerable.Repeat("x", 11).ToList() } }));
        Assert.Equal("address.lines[0]", FieldOf(FullPatch() with { Address = Address with { Lines = [""] } }));
        Assert.Equal("address.locality", FieldOf(FullPatch() with { Address = Address with { Locality = tooLong } }));
        Assert.Equal("address.region", FieldOf(FullPatch() with { Address = Address with { Region = "I\nL" } }));
        Assert.Equal("address.postal_code", FieldOf(FullPatch() with { Address = Address with { PostalCode = tooLong } }));
        Assert.Equal("address.country_code", FieldOf(FullPatch() with { Address = Address with { CountryCode = tooLong } }));
    }

    [Theory]
    [InlineData("ada", "must be an email address, such as ada@example.org")]
    [InlineData("@example.org", "must be an email address, such as ada@example.org")]
    [InlineData("ada@", "must be an email address, such as ada@example.org")]
    [InlineData("ada@example", "must be an email address, such as ada@example.org")]
    [InlineData("ada@@example.org", "must be an email address, such as ada@example.org")]
    [InlineData("ada lovelace@example.org", "must be an email address, such as ada@example.org")]
    [InlineData("ADA@example.org", "is the same address as emails[0]")]
    public void EmailsHaveTheShapeOfAnAddressAndAreNotRepeated(string second, string problem)
    {
        var error = new ProfileValidator(new InputLimits()).Check("C1", FullPatch() with { Emails = ["ada@example.org", second] });

        Assert.Equal(("emails[1]", problem), (error?.Field, error?.Message));
        Assert.Null(new ProfileValidator(new InputLimits()).Check("C1", FullPatch() with { Emails = ["ada@example.org", "ada.l+c360@mail.example.co.uk"] }));
    }

    [Theory]
    [InlineData("germany")]
    [InlineData("de")]
    [InlineData("DEU")]
    [InlineData("D1")]
    [InlineData("Ö")]
    public void ACountryCodeIsTwoUpperCaseLetters(string country)
    {
        Assert.Equal("address.country_code", FieldOf(FullPatch() with { Address = Address with { CountryCode = country } }));
        Assert.Null(new ProfileValidator(new InputLimits()).Check("C1", FullPatch() with { Address = Address with { CountryCode = "IE" } }));
        Assert.Null(new ProfileValidator(new InputLimits()).Check("C1", FullPatch() with { Address = Address with { CountryCode = "" } }));
    }

    [Fact]
    public void AConsentMayNotBeDatedFurtherAheadThanATouchpoint()
    {
        var now = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
        var validator = new ProfileValidator(new InputLimits());
        ProfilePatch Dated(DateTimeOffset at) => FullPatch() with { Consents = [new Consent(MarketingChannel.Email, true, at)] };

        var farAhead = validator.Check("C1", Dated(new DateTimeOffset(9999, 1, 1, 0, 0, 0, TimeSpan.Zero)), now);

        Assert.Equal(("consents[0].updated_at", "is more than 24 h in the future"), (farAhead?.Field, farAhead?.Message));
        Assert.Equal("consents[0].updated_at", validator.Check("C1", Dated(now.AddHours(25)), now)?.Field);
        Assert.Null(validator.Check("C1", Dated(now.AddHours(23)), now));
        Assert.Null(validator.Check("C1", Dated(now.AddYears(-3)), now));
    }

    [Fact]
    public void AConsentMayNotBeDatedAtOrBeforeTheEventTimeFloor()
    {
        ProfilePatch Dated(DateTimeOffset at) => FullPatch() with { Consents = [new Consent(MarketingChannel.Email, true, Now), new Consent(MarketingChannel.Sms, true, at)] };

        var epoch = Validator.Check("C1", Dated(DateTimeOffset.UnixEpoch), Now);

        Assert.Equal(("consents[1].updated_at", "must be after 1970-01-01T00:00:00Z; got 1970-01-01T00:00:00Z"), (epoch?.Field, epoch?.Message));
        Assert.Equal("consents[1].updated_at", Validator.Check("C1", Dated(default), Now)?.Field);
        Assert.Null(Validator.Check("C1", Dated(Utc(1997, 1, 1)), Now));
    }

    [Fact]
    public void SetAttributesAreCheckedLikeTouchpointAttributes()
    {
        var thirtyThree = Enumerable.Range(0, 33).ToDictionary(i => $"k{i}", _ => "v");

        Assert.Equal("set_attributes", FieldOf(FullPatch() with { SetAttributes = thirtyThree }));
        Assert.Equal("set_attributes[]", FieldOf(FullPatch() with { SetAttributes = new Dictionary<string, string> { [""] = "v" } }));
        Assert.Equal("set_attributes[k]", FieldOf(FullPatch() with { SetAttributes = new Dictionary<string, string> { ["k"] = new string('v', 513) } }));
    }

    [Fact]
    public void KeysToRemoveAreCheckedLikeAttributeKeys()
    {
        ProfilePatch Removing(params string[] keys) => FullPatch() with { RemoveAttributes = keys };

        var tooMany = Validator.Check(CustomerId, Removing([.. Enumerable.Range(0, 33).Select(i => $"k{i}")]));

        Assert.Equal(("remove_attributes", "at most 32 allowed, got 33"), (tooMany?.Field, tooMany?.Message));
        Assert.Equal(("remove_attributes[1]", "key must be 1..64 characters without control characters"), (Validator.Check(CustomerId, Removing("a", ""))?.Field, Validator.Check(CustomerId, Removing("a", ""))?.Message));
        Assert.Equal("remove_attributes[0]", FieldOf(Removing("a\u0000")));
        Assert.Equal("remove_attributes[0]", FieldOf(Removing(new string('k', 65))));
        Assert.Null(FieldOf(Removing([.. Enumerable.Range(0, 32).Select(i => $"k{i}")])));
        Assert.Null(FieldOf(Removing(new string('k', 64))));
        Assert.Null(FieldOf(Removing(" "))); // a key stored before white-space-only keys were refused can still go
    }

    [Fact]
    public void AKeyIsEitherSetOrRemovedNotBoth()
    {
        var error = Validator.Check(CustomerId, FullPatch() with { RemoveAttributes = ["old", "lang"] });

        Assert.Equal(("remove_attributes[1]", "is also in set_attributes; a patch may set a key or remove it, not both"), (error?.Field, error?.Message));
    }

    [Fact]
    public void OneChannelTakesOneConsentPerPatch()
    {
        var patch = FullPatch() with
        {
            Consents = [new Consent(MarketingChannel.Email, true, Now), new Consent(MarketingChannel.Sms, true, Now), new Consent(MarketingChannel.Email, false, Now)],
        };

        var error = Validator.Check(CustomerId, patch);

        Assert.Equal(("consents[2].channel", "is the same channel as consents[0]"), (error?.Field, error?.Message));
    }

    [Fact]
    public void PhoneNumbersAndCardsAreNotRepeated()
    {
        var phones = Validator.Check(CustomerId, FullPatch() with { PhoneNumbers = ["+49 30 1234", "+49 30 5678", "+49 30 1234"] });
        var cards = Validator.Check(CustomerId, FullPatch() with { LoyaltyCardIds = ["LC-1", "LC-1"] });

        Assert.Equal(("phone_numbers[2]", "is the same number as phone_numbers[0]"), (phones?.Field, phones?.Message));
        Assert.Equal(("loyalty_card_ids[1]", "is the same card as loyalty_card_ids[0]"), (cards?.Field, cards?.Message));
        Assert.Null(FieldOf(FullPatch() with { LoyaltyCardIds = ["LC-1", "lc-1"] })); // ids are exact
    }

    [Fact]
    public void ProfileTextIsNotOnlyWhiteSpace()
    {
        var error = Validator.Check(CustomerId, FullPatch() with { GivenName = "   " });

        Assert.Equal(("given_name", "must not be only white space"), (error?.Field, error?.Message));
        Assert.Equal("family_name", FieldOf(FullPatch() with { FamilyName = "\u2003" }));
        Assert.Equal("phone_numbers[0]", FieldOf(FullPatch() with { PhoneNumbers = [" "] }));
        Assert.Equal("address.locality", FieldOf(FullPatch() with { Address = Address with { Locality = "  " } }));
        Assert.Null(FieldOf(FullPatch() with { GivenName = "", FamilyName = "de la Cruz" }));
    }

    [Fact]
    public void SetAttributeValuesHoldNoControlCharacterButLayout()
    {
        Assert.Equal("set_attributes[note]", FieldOf(FullPatch() with { SetAttributes = new Dictionary<string, string> { ["note"] = "a\u0000b" } }));
        Assert.Equal("set_attributes[ ]", FieldOf(FullPatch() with { SetAttributes = new Dictionary<string, string> { [" "] = "v" } }));
        Assert.Null(FieldOf(FullPatch() with { SetAttributes = new Dictionary<string, string> { ["note"] = "first line\nsecond\tline" } }));
    }

    [Fact]
    public void ConsentChannelMustBeKnown()
    {
        var patch = FullPatch() with
        {
            Consents = [new Consent(MarketingChannel.Sms, true, Now), new Consent(MarketingChannel.Unspecified, true, Now)],
        };

        Assert.Equal("consents[1].channel", FieldOf(patch));
        Assert.Equal("consents[0].channel", FieldOf(FullPatch() with { Consents = [new Consent((MarketingChannel)6, true, Now)] }));
    }

    [Fact]
    public void ResultWithTooManyAttributesIsRejected()
    {
        var stored = CustomerProfile.Empty with
        {
            Attributes = Enumerable.Range(0, 32).ToDictionary(i => $"k{i}", _ => "v"),
        };
        var addOne = new ProfilePatch { SetAttributes = new Dictionary<string, string> { ["extra"] = "v" } };
        var swapOne = addOne with { RemoveAttributes = ["k0"] };

        Assert.Null(Validator.Check(CustomerId, addOne));
        var error = Validator.CheckResult(stored.With(addOne));
        Assert.Equal("set_attributes", error?.Field);
        Assert.Null(Validator.CheckResult(stored.With(swapOne)));
    }
}

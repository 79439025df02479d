namespace Customer360.Domain.Customers;

public sealed record PostalAddress(
    IReadOnlyList<string> Lines,
    string Locality,
    string Region,
    string PostalCode,
    string CountryCode)
{
    /// <summary>
    /// No line and every part empty. A patch carrying such an address clears the stored one, for
    /// a customer who asked for their address to be removed. Null parts (an address read from an
    /// older snapshot) count as empty.
    /// </summary>
    public bool IsEmpty =>
        (Lines is null || Lines.Count == 0)
        && string.IsNullOrEmpty(Locality) && string.IsNullOrEmpty(Region)
        && string.IsNullOrEmpty(PostalCode) && string.IsNullOrEmpty(CountryCode);
}

public sealed record Consent(MarketingChannel Channel, bool Granted, DateTimeOffset UpdatedAt);

/// <summary>Who the customer is: names, identifiers, address, attributes and consents.</summary>
public sealed record CustomerProfile
{
    public static readonly CustomerProfile Empty = new();

    public string GivenName { get; init; } = "";

    public string FamilyName { get; init; } = "";

    public IReadOnlyList<string> Emails { get; init; } = [];

    public IReadOnlyList<string> PhoneNumbers { get; init; } = [];

    public IReadOnlyList<string> LoyaltyCardIds { get; init; } = [];

    public PostalAddress? Address { get; init; }

    public IReadOnlyDictionary<string, string> Attributes { get; init; } = Touchpoint.EmptyAttributes;

    public IReadOnlyList<Consent> Consents { get; init; } = [];

    /// <summary>
    /// Whether <paramref name="other"/> holds the same names, identifiers, address, attributes and
    /// consents. Record equality cannot say: it compares the lists and the attributes by reference.
    /// Strings compare ordinally, lists in order, consents with their times as instants.
    /// </summary>
    public bool HasSameContentAs(CustomerProfile other) =>
        ReferenceEquals(this, other)
        || (string.Equals(GivenName, other.GivenName, StringComparison.Ordinal)
            && string.Equals(FamilyName, other.FamilyName, StringComparison.Ordinal)
            && Emails.SequenceEqual(other.Emails, StringComparer.Ordinal)
            && PhoneNumbers.SequenceEqual(other.PhoneNumbers, StringComparer.Ordinal)
            && LoyaltyCardIds.SequenceEqual(other.LoyaltyCardIds, StringComparer.Ordinal)
            && SameAddress(Address, other.Address)
            && SameAttributes(Attributes, other.Attributes)
            && Consents.SequenceEqual(other.Consents));

    private static bool SameAddress(PostalAddress? a, PostalAddress? b) =>
        ReferenceEquals(a, b)
        || (a is not null && b is not null
            && a.Lines.SequenceEqual(b.Lines, StringComparer.Ordinal)
            && string.Equals(a.Locality, b.Locality, StringComparison.Ordinal)
            && string.Equals(a.Region, b.Region, StringComparison.Ordinal)
            && string.Equals(a.PostalCode, b.PostalCode, StringComparison.Ordinal)
            && string.Equals(a.CountryCode, b.CountryCode, StringComparison.Ordinal));

    private static bool SameAttributes(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        ReferenceEquals(a, b)
        || (a.Count == b.Count
            && a.All(pair => b.TryGetValue(pair.Key, out var value) && string.Equals(value, pair.Value, StringComparison.Ordinal)));

    /// <summary>Applies a patch: only what the patch carries changes.</summary>
    public CustomerProfile With(ProfilePatch patch)
    {
        var attributes = Attributes;
        if (patch.SetAttributes.Count > 0 || patch.RemoveAttributes.Count > 0)
        {
            var merged = new Dictionary<string, string>(Attributes, StringComparer.Ordinal);
            foreach (var key in patch.RemoveAttributes)
            {
                merged.Remove(key);
            }

            foreach (var (key, value) in patch.SetAttributes)
            {
                merged[key] = value;
            }

            attributes = merged;
        }

        var consents = Consents;
        if (patch.Consents.Count > 0)
        {
            var byChannel = Consents.ToDictionary(c => c.Channel);
            foreach (var consent in patch.Consents)
            {
                byChannel[consent.Channel] = consent;
            }

            consents = byChannel.Values.OrderBy(c => c.Channel).ToArray();
        }

        return this with
        {
            GivenName = patch.GivenName ?? GivenName,
            FamilyName = patch.FamilyName ?? FamilyName,
            Emails = patch.Emails ?? Emails,
            PhoneNumbers = patch.PhoneNumbers ?? PhoneNumbers,
            LoyaltyCardIds = patch.LoyaltyCardIds ?? LoyaltyCardIds,
            Address = patch.Address is null ? Address : patch.Address.IsEmpty ? null : patch.Address,
            Attributes = attributes,
            Consents = consents,
        };
    }
}

/// <summary>
/// A partial profile update. Null means "leave as is"; a list that is present replaces the
/// stored list (an empty one clears it).
/// </summary>
public sealed record ProfilePatch
{
    public string? GivenName { get; init; }

    public string? FamilyName { get; init; }

    public IReadOnlyList<string>? Emails { get; init; }

    public IReadOnlyList<string>? PhoneNumbers { get; init; }

    public IReadOnlyList<string>? LoyaltyCardIds { get; init; }

    public PostalAddress? Address { get; init; }

    public IReadOnlyDictionary<string, string> SetAttributes { get; init; } = Touchpoint.EmptyAttributes;

    public IReadOnlyList<string> RemoveAttributes { get; init; } = [];

    public IReadOnlyList<Consent> Consents { get; init; } = [];

    /// <summary>The name of the API key the change was made with, set by the server; null without keys. Kept in the log.</summary>
    public string? RecordedBy { get; init; }
}

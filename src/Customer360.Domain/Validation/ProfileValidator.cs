using Customer360.Domain.Customers;

namespace Customer360.Domain.Validation;

/// <summary>Checks a profile patch, and the profile it would produce, against the limits.</summary>
public sealed class ProfileValidator(InputLimits limits)
{
    /// <param name="now">When given, a consent may not be dated further ahead than a touchpoint may.</param>
    public ValidationError? Check(string customerId, ProfilePatch patch, DateTimeOffset? now = null)
    {
        if (CustomerIds.Check(customerId, limits) is { } idError)
        {
            return idError;
        }

        if ((CheckText(patch.GivenName, "given_name") ?? CheckText(patch.FamilyName, "family_name")) is { } nameError)
        {
            return nameError;
        }

        if ((CheckList(patch.Emails, "emails") ?? CheckEmails(patch.Emails)
            ?? CheckList(patch.PhoneNumbers, "phone_numbers") ?? CheckRepeats(patch.PhoneNumbers, "phone_numbers", "number")
            ?? CheckList(patch.LoyaltyCardIds, "loyalty_card_ids") ?? CheckRepeats(patch.LoyaltyCardIds, "loyalty_card_ids", "card")) is { } listError)
        {
            return listError;
        }

        if (patch.Address is { } address)
        {
            var addressError = CheckList(address.Lines, "address.lines")
                ?? CheckText(address.Locality, "address.locality")
                ?? CheckText(address.Region, "address.region")
                ?? CheckText(address.PostalCode, "address.postal_code")
                ?? CheckCountry(address.CountryCode, "address.country_code");
            if (addressError is not null)
            {
                return addressError;
            }
        }

        if ((TouchpointValidator.CheckAttributes(patch.SetAttributes, "set_attributes", limits) ?? CheckRemovals(patch)) is { } attributeError)
        {
            return attributeError;
        }

        for (var i = 0; i < patch.Consents.Count; i++)
        {
            if (!EnumRanges.IsDefinedAndSpecified(patch.Consents[i].Channel))
            {
                return new ValidationError($"consents[{i}].channel", "must be set to a known marketing channel");
            }

            // Two consents for one channel in one patch: which one the customer gave last
            // cannot be told from the order of a list, so neither is taken.
            for (var j = 0; j < i; j++)
            {
                if (patch.Consents[j].Channel == patch.Consents[i].Channel)
                {
                    return new ValidationError($"consents[{i}].channel", $"is the same channel as consents[{j}]");
                }
            }

            if (EventTimes.CheckAfterFloor(patch.Consents[i].UpdatedAt, $"consents[{i}].updated_at", limits) is { } floorError)
            {
                return floorError;
            }

            if (now is { } at && patch.Consents[i].UpdatedAt > at + limits.MaxFutureSkew)
            {
                return new ValidationError($"consents[{i}].updated_at", $"is more than {limits.MaxFutureSkew.TotalHours:0} h in the future");
            }
        }

        return null;
    }

    /// <summary>Checks the profile a patch produced; the attribute count is only known after merging.</summary>
    public ValidationError? CheckResult(CustomerProfile profile) =>
        profile.Attributes.Count > limits.MaxAttributes
            ? new ValidationError("set_attributes", $"the profile would have {profile.Attributes.Count} attributes; at most {limits.MaxAttributes} allowed")
            : null;

    /// <summary>
    /// Each address has the shape local@domain (one '@', something either side, a dot in the
    /// domain, no spaces), and none is given twice. Whether it receives mail is not for the
    /// engine to know; the shape catches a field mapped wrongly by an import.
    /// </summary>
    private static ValidationError? CheckEmails(IReadOnlyList<string>? emails)
    {
        if (emails is null)
        {
            return null;
        }

        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < emails.Count; i++)
        {
            var email = emails[i];
            var at = email.IndexOf('@');
            var shaped = at > 0 && at == email.LastIndexOf('@') && at < email.Length - 1
                && email.IndexOf('.', at) is var dot && dot > at + 1 && dot < email.Length - 1
                && !email.Any(char.IsWhiteSpace);
            if (!shaped)
            {
                return new ValidationError($"emails[{i}]", "must be an email address, such as ada@example.org");
            }

            if (!seen.TryAdd(email, i))
            {
                return new ValidationError($"emails[{i}]", $"is the same address as emails[{seen[email]}]");
            }
        }

        return null;
    }

    /// <summary>
    /// Keys to remove are attribute keys: as many as a profile may hold, each 1..64 characters
    /// without control characters, and none also set by the same patch (set and removed at once
    /// says two things; which was meant cannot be told). A key of only white space is allowed
    /// here, unlike in <c>set_attributes</c>: profiles written before that rule may hold one,
    /// and removing it must stay possible.
    /// </summary>
    private ValidationError? CheckRemovals(ProfilePatch patch)
    {
        var keys = patch.RemoveAttributes;
        if (keys.Count > limits.MaxAttributes)
        {
            return new ValidationError("remove_attributes", $"at most {limits.MaxAttributes} allowed, got {keys.Count}");
        }

        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            if (TouchpointValidator.CheckAttributeKey(key, $"remove_attributes[{i}]", limits) is { } keyError)
            {
                return keyError;
            }

            if (patch.SetAttributes.ContainsKey(key))
            {
                return new ValidationError($"remove_attributes[{i}]", "is also in set_attributes; a patch may set a key or remove it, not both");
            }
        }

        return null;
    }

    /// <summary>The same phone number or card twice is a mapping mistake, not two of them. Compared exactly, as ids are.</summary>
    private static ValidationError? CheckRepeats(IReadOnlyList<string>? values, string field, string noun)
    {
        if (values is null)
        {
            return null;
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < values.Count; i++)
        {
            if (!seen.TryAdd(values[i], i))
            {
                return new ValidationError($"{field}[{i}]", $"is the same {noun} as {field}[{seen[values[i]]}]");
            }
        }

        return null;
    }

    /// <summary>Empty (no country), or an ISO-3166 alpha-2 code as the API documents it.</summary>
    private static ValidationError? CheckCountry(string? value, string field) =>
        string.IsNullOrEmpty(value) || (value.Length == 2 && value.All(char.IsAsciiLetterUpper))
            ? null
            : new ValidationError(field, "must be an ISO-3166 alpha-2 code of two upper-case letters, such as DE");

    private ValidationError? CheckText(string? value, string field)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > limits.MaxTextLength)
        {
            return new ValidationError(field, $"must be at most {limits.MaxTextLength} characters");
        }

        if (ControlCharacters.In(value))
        {
            return new ValidationError(field, "must not contain control characters");
        }

        // Empty clears a name; white space alone would look cleared and not be.
        return Labels.OnlyWhiteSpace(value) ? new ValidationError(field, "must not be only white space") : null;
    }

    private ValidationError? CheckList(IReadOnlyList<string>? values, string field)
    {
        if (values is null)
        {
            return null;
        }

        if (values.Count > limits.MaxIdentifiers)
        {
            return new ValidationError(field, $"at most {limits.MaxIdentifiers} allowed, got {values.Count}");
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (values[i].Length == 0)
            {
                return new ValidationError($"{field}[{i}]", "must not be empty");
            }

            if (CheckText(values[i], $"{field}[{i}]") is { } error)
            {
                return error;
            }
        }

        return null;
    }
}

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

        if ((CheckList(patch.Emails, "emails") ?? CheckEmails(patch.Emails) ?? CheckList(patch.PhoneNumbers, "phone_numbers")
            ?? CheckList(patch.LoyaltyCardIds, "loyalty_card_ids")) is { } listError)
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

        if (TouchpointValidator.CheckAttributes(patch.SetAttributes, "set_attributes", limits) is { } attributeError)
        {
            return attributeError;
        }

        for (var i = 0; i < patch.Consents.Count; i++)
        {
            if (!EnumRanges.IsDefinedAndSpecified(patch.Consents[i].Channel))
            {
                return new ValidationError($"consents[{i}].channel", "must be set to a known marketing channel");
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

        return ControlCharacters.In(value) ? new ValidationError(field, "must not contain control characters") : null;
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

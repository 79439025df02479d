using Customer360.Domain.Customers;

namespace Customer360.Domain.Validation;

/// <summary>
/// Checks a touchpoint against the product's rules and normalises it: event time to UTC and
/// the amount converted to the reporting currency. Field names are the API's, relative to the
/// touchpoint (the caller adds the parent path).
/// </summary>
public sealed class TouchpointValidator(InputLimits limits, CurrencyTable currencies)
{
    public InputLimits Limits => limits;

    public CurrencyTable Currencies => currencies;

    /// <summary>The accepted touchpoint, or the first problem found.</summary>
    public (Touchpoint? Accepted, ValidationError? Error) Validate(Touchpoint touchpoint, DateTimeOffset now)
    {
        var error = Check(touchpoint, now, out var reportingAmount);
        if (error is not null)
        {
            return (null, error);
        }

        return (touchpoint with
        {
            OccurredAt = touchpoint.OccurredAt.ToUniversalTime(),
            ReportingAmount = reportingAmount,
        }, null);
    }

    private ValidationError? Check(Touchpoint t, DateTimeOffset now, out decimal? reportingAmount)
    {
        reportingAmount = null;
        if (CustomerIds.Check(t.CustomerId, limits) is { } idError)
        {
            return idError;
        }

        if (OpaqueIds.Check(t.EventId, limits.MaxEventIdLength, "event_id") is { } eventIdError)
        {
            return eventIdError;
        }

        // A missing time is reported by the API's mapping ("is required"); here it would be
        // indistinguishable from 0001-01-01 sent on purpose, and both are before the floor.
        if (EventTimes.CheckAfterFloor(t.OccurredAt, "occurred_at", limits) is { } floorError)
        {
            return floorError;
        }

        if (t.OccurredAt > now + limits.MaxFutureSkew)
        {
            return new ValidationError("occurred_at", $"is more than {limits.MaxFutureSkew.TotalHours:0} h in the future");
        }

        if (!EnumRanges.IsDefinedAndSpecified(t.Channel))
        {
            return new ValidationError("channel", "must be set to a known channel");
        }

        if (!EnumRanges.IsDefinedAndSpecified(t.Kind))
        {
            return new ValidationError("kind", "must be set to a known kind");
        }

        if (t.Kind.CarriesAmount())
        {
            if (t.Amount is null)
            {
                return new ValidationError("amount", $"is required for a {KindName(t.Kind)}");
            }

            if (CheckMoney(t.Amount, "amount") is { } moneyError)
            {
                return moneyError;
            }

            if (!currencies.TryConvert(t.Amount.Amount, t.Amount.Currency, out var converted))
            {
                return new ValidationError("amount.currency_code",
                    $"'{t.Amount.Currency}' is not accepted; accepted: {string.Join(", ", currencies.Currencies.Order())}");
            }

            reportingAmount = converted;
        }
        else if (t.Amount is not null && CheckMoney(t.Amount, "amount") is { } otherMoneyError)
        {
            return otherMoneyError;
        }

        if (t.LineItems.Count > limits.MaxLineItems)
        {
            return new ValidationError("line_items", $"at most {limits.MaxLineItems} allowed, got {t.LineItems.Count}");
        }

        for (var i = 0; i < t.LineItems.Count; i++)
        {
            if (CheckLineItem(t.LineItems[i], t.Amount?.Currency) is { } lineError)
            {
                return lineError.Under($"line_items[{i}]");
            }
        }

        if (CheckAttributes(t.Attributes, "attributes", limits) is { } attributeError)
        {
            return attributeError;
        }

        return Labels.Check(t.SourceSystem, limits.MaxTextLength, "source_system");
    }

    private ValidationError? CheckLineItem(LineItem item, string? currency)
    {
        if (item.Quantity <= 0)
        {
            return new ValidationError("quantity", "must be positive");
        }

        if ((Labels.Check(item.Sku, limits.MaxTextLength, "sku") ?? Labels.Check(item.Category, limits.MaxTextLength, "category")) is { } labelError)
        {
            return labelError;
        }

        if (item.UnitPrice is not null)
        {
            if (CheckMoney(item.UnitPrice, "unit_price") is { } priceError)
            {
                return priceError;
            }

            if (currency is not null && item.UnitPrice.Currency != currency)
            {
                return new ValidationError("unit_price.currency_code", $"must match the touchpoint's currency {currency}");
            }
        }

        return null;
    }

    private ValidationError? CheckMoney(Money money, string field)
    {
        if (!CurrencyTable.IsCurrencyCode(money.Currency))
        {
            return new ValidationError($"{field}.currency_code", "must be an ISO-4217 code of three upper-case letters");
        }

        if (money.Amount < 0)
        {
            return new ValidationError($"{field}.amount", "must not be negative");
        }

        if (money.Amount >= limits.MaxAmount)
        {
            return new ValidationError($"{field}.amount", $"must be less than {limits.MaxAmount}");
        }

        return null;
    }

    /// <summary>
    /// Checks an attribute map against the count and length limits. A key is a label (see
    /// <see cref="Labels"/>): no control characters, not only white space. A value is free text:
    /// it may hold tabs and line breaks, but no other control character.
    /// </summary>
    public static ValidationError? CheckAttributes(IReadOnlyDictionary<string, string> attributes, string field, InputLimits limits)
    {
        if (attributes.Count > limits.MaxAttributes)
        {
            return new ValidationError(field, $"at most {limits.MaxAttributes} allowed, got {attributes.Count}");
        }

        foreach (var (key, value) in attributes)
        {
            if (CheckAttributeKey(key, $"{field}[{Truncate(key)}]", limits) is { } keyError)
            {
                return keyError;
            }

            if (Labels.OnlyWhiteSpace(key))
            {
                return new ValidationError($"{field}[{Truncate(key)}]", "key must not be only white space");
            }

            if (value.Length > limits.MaxAttributeValueLength)
            {
                return new ValidationError($"{field}[{Truncate(key)}]", $"value must be at most {limits.MaxAttributeValueLength} characters");
            }

            if (ControlCharacters.InFreeText(value))
            {
                return new ValidationError($"{field}[{Truncate(key)}]", "value must not contain control characters other than tab, line feed and carriage return");
            }
        }

        return null;
    }

    /// <summary>The shape every attribute key has, whether set or removed: 1..MaxAttributeKeyLength characters, no control characters.</summary>
    public static ValidationError? CheckAttributeKey(string key, string field, InputLimits limits) =>
        key.Length == 0 || key.Length > limits.MaxAttributeKeyLength || ControlCharacters.In(key)
            ? new ValidationError(field, $"key must be 1..{limits.MaxAttributeKeyLength} characters without control characters")
            : null;

    private static string Truncate(string s) => s.Length <= 32 ? s : s[..32] + "…";

    private static string KindName(TouchpointKind kind) => kind == TouchpointKind.Purchase ? "purchase" : "return";
}

namespace Customer360.Domain.Validation;

/// <summary>
/// The rule for short text that names or classifies something rather than saying something: a
/// SKU, a category, a source system. These are optional, so empty is fine; but they are read by
/// people and matched by reports, so a control character (an injected line, a terminal escape)
/// or a value of only white space, which looks like nothing and matches nothing, is refused.
/// </summary>
public static class Labels
{
    public static ValidationError? Check(string value, int maxLength, string field)
    {
        if (value.Length > maxLength)
        {
            return new ValidationError(field, $"must be at most {maxLength} characters");
        }

        if (ControlCharacters.In(value))
        {
            return new ValidationError(field, "must not contain control characters");
        }

        return OnlyWhiteSpace(value) ? new ValidationError(field, "must not be only white space") : null;
    }

    /// <summary>Non-empty and nothing but white space.</summary>
    public static bool OnlyWhiteSpace(string value) => value.Length > 0 && value.AsSpan().IsWhiteSpace();
}

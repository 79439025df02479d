namespace Customer360.Domain.Validation;

/// <summary>
/// The rule shared by every client-chosen id the engine keys on (customer ids, event ids):
/// compared exactly, so anything that could make two ids look alike to a person but differ to
/// the engine is refused rather than silently normalised. Padding is the usual case: a till
/// that sends "A-17 " once and "A-17" on its retry would otherwise record one sale twice.
/// </summary>
public static class OpaqueIds
{
    public static ValidationError? Check(string? id, int maxLength, string field)
    {
        if (string.IsNullOrEmpty(id))
        {
            return new ValidationError(field, "must not be empty");
        }

        if (id.Length > maxLength)
        {
            return new ValidationError(field, $"must be at most {maxLength} characters, got {id.Length}");
        }

        if (ControlCharacters.In(id))
        {
            return new ValidationError(field, "must not contain control characters");
        }

        if (char.IsWhiteSpace(id[0]) || char.IsWhiteSpace(id[^1]))
        {
            return new ValidationError(field, "must not start or end with white space");
        }

        return null;
    }
}

namespace Customer360.Domain.Validation;

/// <summary>
/// Rules for customer ids. Ids are opaque and exact: "abc", "ABC" and "00abc" are three
/// different customers.
/// </summary>
public static class CustomerIds
{
    public static ValidationError? Check(string? customerId, InputLimits limits, string field = "customer_id")
    {
        if (string.IsNullOrEmpty(customerId))
        {
            return new ValidationError(field, "must not be empty");
        }

        if (customerId.Length > limits.MaxCustomerIdLength)
        {
            return new ValidationError(field, $"must be at most {limits.MaxCustomerIdLength} characters, got {customerId.Length}");
        }

        if (ControlCharacters.In(customerId))
        {
            return new ValidationError(field, "must not contain control characters");
        }

        if (customerId.Trim().Length != customerId.Length)
        {
            return new ValidationError(field, "must not start or end with white space");
        }

        return null;
    }
}

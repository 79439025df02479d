namespace Customer360.Domain.Validation;

/// <summary>
/// Rules for customer ids. Ids are opaque and exact: "abc", "ABC" and "00abc" are three
/// different customers.
/// </summary>
public static class CustomerIds
{
    public static ValidationError? Check(string? customerId, InputLimits limits, string field = "customer_id") =>
        OpaqueIds.Check(customerId, limits.MaxCustomerIdLength, field);
}

using Customer360.Domain.Validation;
using Customer360.Grains.Configuration;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Customer360.Server.Grpc;

/// <summary>The validators every RPC checks its input with, built once from the configured limits.</summary>
public sealed class ApiValidation(IOptions<Customer360Options> options, TimeProvider clock)
{
    public TouchpointValidator Touchpoints { get; } = new(options.Value.Limits, options.Value.ToCurrencyTable());

    public ProfileValidator Profiles { get; } = new(options.Value.Limits);

    public InputLimits Limits => options.Value.Limits;

    public TimeProvider Clock => clock;

    /// <summary>INVALID_ARGUMENT naming the field.</summary>
    public static FieldRefusal Invalid(ValidationError error) => new(StatusCode.InvalidArgument, error);

    public static FieldRefusal Invalid(string field, string message) => Invalid(new ValidationError(field, message));

    public void CheckCustomerId(string customerId, string field = "customer_id")
    {
        if (CustomerIds.Check(customerId, Limits, field) is { } error)
        {
            throw Invalid(error);
        }
    }
}

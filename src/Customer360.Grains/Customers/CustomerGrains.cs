using Customer360.Contracts.Customers;

namespace Customer360.Grains.Customers;

/// <summary>
/// Makes references to customer grains. <c>IGrainFactory.GetGrain&lt;T&gt;(string)</c> resolves
/// the grain interface from its .NET type on every call, formatting and parsing type names as it
/// goes; on the ingestion path, with one reference per touchpoint, that was several percent of
/// the server's allocations. The grain and interface types are resolved here once.
/// </summary>
public sealed class CustomerGrains(IGrainFactory grains)
{
    private readonly Lazy<(GrainType Grain, GrainInterfaceType Interface)> _types = new(() =>
    {
        var reference = (GrainReference)(object)grains.GetGrain<ICustomerGrain>(CustomerKeys.ToGrainKey("-"));
        return (reference.GrainId.Type, reference.InterfaceType);
    });

    public ICustomerGrain Get(string customerId)
    {
        var (grain, @interface) = _types.Value;
        return (ICustomerGrain)grains.GetGrain(GrainId.Create(grain, CustomerKeys.ToGrainKey(customerId)), @interface);
    }
}

using Customer360.Grains.Values;
using Orleans.Concurrency;

namespace Customer360.Grains.Customers;

/// <summary>
/// One per silo, keyed by the silo's address (<see cref="SiloAddress.ToParsableString"/>) and
/// placed on it: answers which customers that silo holds in memory.
/// </summary>
public interface IActiveCustomersGrain : IGrainWithStringKey
{
    /// <summary>
    /// Brings this silo's value model to <paramref name="modelVersion"/> or newer, then answers
    /// which of <paramref name="customerIds"/> are active here. Any customer activated on this
    /// silo after the answer is therefore scored with that model or a newer one.
    /// </summary>
    Task<string[]> ActiveAmongAsync(string[] customerIds, long modelVersion);
}

/// <summary>This silo's <see cref="ActiveCustomers"/>, for the re-scoring sweep.</summary>
[SiloAddressPlacement, Reentrant]
public sealed class ActiveCustomersGrain(ActiveCustomers active, ValueModelCache valueModel) : Grain, IActiveCustomersGrain
{
    public async Task<string[]> ActiveAmongAsync(string[] customerIds, long modelVersion)
    {
        await valueModel.RulesAtLeastAsync(modelVersion);
        return active.Among(customerIds);
    }
}

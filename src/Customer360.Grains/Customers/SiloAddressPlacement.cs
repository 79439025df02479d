using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Customer360.Grains.Customers;

/// <summary>
/// Places a grain whose string key is a silo address (<see cref="SiloAddress.ToParsableString"/>)
/// on that silo, and nowhere else: a silo that is not an active member of the cluster fails the
/// call, so a grain standing for a silo never answers for another.
/// </summary>
[Serializable]
public sealed class SiloAddressPlacement : PlacementStrategy;

/// <summary>Marks a grain class as placed by <see cref="SiloAddressPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloAddressPlacementAttribute() : PlacementAttribute(new SiloAddressPlacement());

/// <summary>Chooses the silo named by the grain's key.</summary>
internal sealed class SiloAddressPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString();
        var silo = SiloAddress.FromParsableString(key);
        return context.GetCompatibleSilos(target).Contains(silo)
            ? Task.FromResult(silo)
            : throw new OrleansException($"Silo {key} is not an active member of the cluster.");
    }
}

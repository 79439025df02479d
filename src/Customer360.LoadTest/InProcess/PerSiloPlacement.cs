using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Customer360.LoadTest.InProcess;

/// <summary>
/// Places the activation of integer key k on the k-th silo of the cluster (modulo their number, in
/// address order), so that keys 0 to silos − 1 give one activation on every silo: the in-silo
/// ceiling's drivers.
/// </summary>
[Serializable]
public sealed class PerSiloPlacement : PlacementStrategy;

/// <summary>Marks a grain class as placed by <see cref="PerSiloPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class PerSiloPlacementAttribute() : PlacementAttribute(new PerSiloPlacement());

/// <summary>Chooses the silo of a <see cref="PerSiloPlacement"/> activation from its integer key.</summary>
internal sealed class PerSiloPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target).OrderBy(silo => silo.ToParsableString(), StringComparer.Ordinal).ToArray();
        var key = target.GrainIdentity.GetIntegerKey();
        return Task.FromResult(silos[(int)((ulong)key % (ulong)silos.Length)]);
    }
}

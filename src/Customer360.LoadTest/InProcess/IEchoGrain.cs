using Orleans.Placement;

namespace Customer360.LoadTest.InProcess;

/// <summary>
/// The cheapest grain call there is: the ceiling the engine's per-touchpoint grain call is
/// compared with, measured on the same cluster in the same run.
/// </summary>
[Alias("c360.load.IEchoGrain")]
public interface IEchoGrain : IGrainWithIntegerKey
{
    [Alias("Echo")]
    Task<int> EchoAsync(int value);
}

/// <summary>
/// Hash-placed, as customer grains are, so that the ceilings' calls spread over the silos as the
/// engine's do. (Before, it had Orleans' default placement, resource-optimised since Orleans
/// 9.2, which chooses by the silos' load when a grain is activated; ceilings measured then are
/// not comparable with later ones.)
/// </summary>
[HashBasedPlacement]
public sealed class EchoGrain : Grain, IEchoGrain
{
    public Task<int> EchoAsync(int value) => Task.FromResult(value);
}

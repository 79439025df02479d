using Customer360.Grains.Configuration;
using Customer360.Grains.Hosting;

namespace Customer360.Cluster.Tests.Infrastructure;

/// <summary>How the silos of these tests' clusters are built.</summary>
internal static class TestSilos
{
    /// <summary>The real Customer360 grains, on the memory customer store and memory grain storage.</summary>
    public static ISiloBuilder AddCustomer360OnMemory(this ISiloBuilder silo, Action<Customer360Options>? configure = null) =>
        silo
            .AddCustomer360Grains(configure)
            .AddMemoryCustomerStore()
            .AddMemoryGrainStorage(StorageNames.Store);

    /// <summary>Segment checkpoints often and close behind the log, so that a short test sees them move.</summary>
    public static void QuickCheckpoints(Customer360Options options)
    {
        options.SegmentCheckpointInterval = TimeSpan.FromMilliseconds(200);
        options.SegmentCheckpointLag = options.SegmentFlushInterval;
    }
}

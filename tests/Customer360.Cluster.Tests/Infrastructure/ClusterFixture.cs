using Customer360.Contracts.Customers;
using Customer360.Contracts.Segments;
using Customer360.Grains.Configuration;
using Customer360.Grains.Hosting;
using Orleans.TestingHost;

namespace Customer360.Cluster.Tests.Infrastructure;

/// <summary>
/// An in-process cluster of two silos running the real Customer360 grains on memory grain
/// storage, and a client connected to it. Each xunit collection that uses it gets its own
/// cluster.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private TestCluster? _cluster;

    public TestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster is not deployed.");

    public IClusterClient Client => Cluster.Client;

    public ICustomerGrain Customer(string customerId) =>
        Client.GetGrain<ICustomerGrain>(CustomerKeys.ToGrainKey(customerId));

    public ISegmentGrain Segment(string segmentId) => Client.GetGrain<ISegmentGrain>(segmentId);

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder();
        builder.Options.InitialSilosCount = 2;
        builder.Options.ConfigureFileLogging = false;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder
                .AddCustomer360Grains()
                .AddMemoryCustomerStore()
                .AddMemoryGrainStorage(StorageNames.Store);
    }
}

using Customer360.Contracts.Customers;
using Customer360.Contracts.Segments;
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

    public async Task InitializeAsync() => _cluster = await DeployAsync<SiloConfigurator>(silos: 2);

    public Task DisposeAsync() => StopAsync(_cluster);

    /// <summary>
    /// Deploys an in-process cluster of <paramref name="silos"/> silos configured by
    /// <typeparamref name="TConfigurator"/>, with a service id of its own unless one is given
    /// (clusters of one service share its memory stores).
    /// </summary>
    public static async Task<TestCluster> DeployAsync<TConfigurator>(int silos, string? serviceId = null)
        where TConfigurator : ISiloConfigurator, new()
    {
        var builder = new TestClusterBuilder();
        builder.Options.InitialSilosCount = (short)silos;
        if (serviceId is not null)
        {
            builder.Options.ServiceId = serviceId;
        }

        builder.Options.ConfigureFileLogging = false;
        builder.AddSiloBuilderConfigurator<TConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>Stops and disposes a cluster from <see cref="DeployAsync"/>, if it was deployed.</summary>
    public static async Task StopAsync(TestCluster? cluster)
    {
        if (cluster is not null)
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.AddCustomer360OnMemory();
    }
}

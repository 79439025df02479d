using Customer360.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Customer360.Cluster.Tests.Infrastructure;

/// <summary>For a test's own cluster: its customers use the service's memory store through a wrapper the test makes fail, slow or lose.</summary>
public static class WrappedMemoryStore
{
    /// <summary>Registers the wrapper; call it after <c>AddCustomer360OnMemory</c>, so that the customers get it.</summary>
    public static void Register(ISiloBuilder siloBuilder, Func<MemoryCustomerStore, ICustomerStore> wrap) =>
        siloBuilder.Services.AddSingleton<ICustomerStore>(sp =>
            wrap(MemoryCustomerStore.ForService(sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId)));
}

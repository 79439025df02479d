using Customer360.Grains.Configuration;
using Customer360.Grains.Customers;
using Customer360.Grains.Diagnostics;
using Customer360.Grains.Segments;
using Customer360.Grains.Storage;
using Customer360.Grains.Values;
using Orleans.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace Customer360.Grains.Hosting;

public static class Customer360SiloExtensions
{
    /// <summary>
    /// Registers what the Customer360 grains need on a silo: the engine options, the clock, the
    /// per-silo segment update buffer and segment recovery. The host adds an
    /// <see cref="ICustomerStore"/> (the customer log) and an <see cref="ISegmentStore"/>. Grain storage named <see cref="StorageNames.Store"/>
    /// is configured by the host; unless the host gives that provider a serializer of its own,
    /// it stores grain state in Orleans' binary format.
    /// </summary>
    public static ISiloBuilder AddCustomer360Grains(this ISiloBuilder silo, Action<Customer360Options>? configure = null)
    {
        var options = silo.Services.AddOptions<Customer360Options>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        silo.Services.AddSingleton<IValidateOptions<Customer360Options>, Customer360OptionsValidator>();
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<SegmentUpdateBuffer>();
        silo.Services.AddSingleton<CustomerGrains>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SegmentUpdateBuffer>());
        silo.Services.AddSingleton<SegmentRecovery>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SegmentRecovery>());
        silo.Services.AddSingleton<ValueModelCache>();
        silo.Services.AddSingleton<ValueModelFitter>();
        silo.Services.AddSingleton<RescoringSweep>();
        silo.Services.AddSingleton<ActiveCustomers>();
        silo.Services.AddMetrics();
        silo.Services.AddSingleton<Customer360Metrics>();
        silo.Services.AddSingleton<ColdRescoring>();
        silo.Services.AddPlacementDirector<SiloAddressPlacement, SiloAddressPlacementDirector>();
        silo.Services.AddSingleton<BacktestSlot>();
        silo.Services.AddSingleton<ValueModelBacktester>();
        silo.Services.AddSingleton<ValueModelRefresher>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ValueModelRefresher>());

        // Grain state holds domain types that only Orleans' serializer can rebuild (through the
        // surrogates in Contracts). The silo-wide default storage serializer is Newtonsoft JSON,
        // which writes them but cannot read them back, so a reactivated customer would fail.
        // Storage providers look for a serializer registered under their own name first.
        silo.Services.TryAddKeyedSingleton<IGrainStorageSerializer>(StorageNames.Store,
            (sp, _) => new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>()));
        return silo;
    }

    /// <summary>
    /// Keeps customers and segments in process memory, shared by every silo of the service in
    /// this process. Nothing survives a restart: for development and test clusters only.
    /// </summary>
    public static ISiloBuilder AddMemoryCustomerStore(this ISiloBuilder silo)
    {
        silo.Services.AddSingleton<ICustomerStore>(sp =>
            MemoryCustomerStore.ForService(sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
        silo.Services.AddSingleton<ISegmentStore>(sp =>
            MemorySegmentStore.ForService(sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
        return silo;
    }
}

/// <summary>Refuses to start with settings that make no sense, saying which one.</summary>
internal sealed class Customer360OptionsValidator : IValidateOptions<Customer360Options>
{
    public ValidateOptionsResult Validate(string? name, Customer360Options options) =>
        options.Problem() is { } problem
            ? ValidateOptionsResult.Fail($"{Customer360Options.Section}: {problem}")
            : ValidateOptionsResult.Success;
}

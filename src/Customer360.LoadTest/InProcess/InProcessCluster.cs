extern alias server;
using Customer360.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using server::Customer360.Server.Hosting;
using Orleans.TestingHost;

namespace Customer360.LoadTest.InProcess;

/// <summary>
/// A Microsoft.Orleans.TestingHost cluster of <c>silos</c> silos in this process, running the
/// project's real grains on the chosen store, exactly as the server configures them, and a
/// cluster client. No gRPC and no network between the tool and the grains: this measures the
/// engine itself.
/// </summary>
internal static class InProcessCluster
{
    public static async Task<TestCluster> StartAsync(InProcessSettings settings)
    {
        var builder = new TestClusterBuilder((short)settings.Silos);
        builder.Options.ServiceId = $"inproc-{settings.RunId}";
        builder.Options.ConfigureFileLogging = false;
        builder.Properties["Customer360:Storage:Provider"] = settings.Store;
        builder.Properties["Customer360:Storage:DataPath"] = settings.DataPath;
        if (settings.Postgres is { } connectionString)
        {
            builder.Properties["Customer360:Storage:ConnectionString"] = connectionString;
        }

        if (settings.RecentWindow is { } recentWindow)
        {
            builder.Properties["Customer360:RecentWindow"] = recentWindow.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var storage = siloBuilder.Configuration.GetSection("Customer360:Storage").Get<StorageOptions>() ?? new StorageOptions();
            var recentWindow = siloBuilder.Configuration.GetValue<int?>("Customer360:RecentWindow");
            siloBuilder.AddCustomer360Grains(options => options.RecentWindow = recentWindow ?? options.RecentWindow).AddCustomer360Storage(storage);
            // One in-silo ceiling driver per silo.
            siloBuilder.Services.AddPlacementDirector<PerSiloPlacement, PerSiloPlacementDirector>();
        }
    }
}

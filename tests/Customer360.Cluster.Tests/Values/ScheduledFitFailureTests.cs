using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Customers;
using Customer360.Contracts.Values;
using Customer360.Grains.Storage;
using Customer360.Grains.Values;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace Customer360.Cluster.Tests.Values;

/// <summary>
/// A scheduled fit reads the whole log. When the log cannot be read (the database is out of
/// reach), the fit must not be tried again at every schedule check, every few seconds, loading
/// a struggling database with full reads: it waits, longer after each failure, and the model's
/// status says why it failed and when it is tried next. This cluster's log answers every read of
/// purchase histories as an unreachable database does.
/// </summary>
public sealed class ScheduledFitFailureTests : IAsyncLifetime
{
    private static readonly TimeSpan ScheduleCheck = TimeSpan.FromMilliseconds(50);

    private TestCluster? _cluster;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.DeployAsync<SiloConfigurator>(silos: 1);

    public Task DisposeAsync() => ClusterFixture.StopAsync(_cluster);

    [Fact]
    public async Task AScheduledFitThatCannotReadTheLogWaitsBeforeItIsTriedAgainAndSaysWhen()
    {
        var cluster = _cluster!;
        var model = cluster.Client.GetGrain<IValueModelGrain>(IValueModelGrain.Key);

        var failed = await Eventually.PollAsync(model.GetAsync, s => s.LastFailure is not null);

        Assert.True(failed.LastFailure is not null, "no scheduled fit failure was reported");
        Assert.Contains("could not read the log", failed.LastFailure, StringComparison.Ordinal);
        Assert.NotNull(failed.LastFailureAt);
        Assert.True(
            failed.NextFitAt >= failed.LastFailureAt + ValueModelGrain.FirstFitRetry,
            $"failed at {failed.LastFailureAt:O}, tried again at {failed.NextFitAt:O}");

        // Forty schedule checks later the log has still been read only once. (Time has to pass
        // for nothing to happen; a slower machine only makes fewer checks.)
        await Task.Delay(40 * ScheduleCheck);
        Assert.Equal(1, UnreadableLog.ReadsOf(cluster.Options.ServiceId));
        Assert.Equal(failed.NextFitAt, (await model.GetAsync()).NextFitAt);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddCustomer360OnMemory(o =>
            {
                o.ValueModel.FitInterval = TimeSpan.FromMilliseconds(200);
                o.ValueModel.RefreshInterval = ScheduleCheck;
            });

            UnreadableLog.Register(siloBuilder, () => new CustomerStoreUnavailableException("The customer store could not be read; nothing was changed. Retry."));
        }
    }

    /// <summary>The memory store, failing every read of purchase histories with <paramref name="failure"/>, and counting them.</summary>
    internal sealed class UnreadableLog(MemoryCustomerStore inner, string serviceId, Func<Exception> failure) : PassThroughCustomerStore(inner)
    {
        /// <summary>Registered last, so the fitter gets it.</summary>
        public static void Register(ISiloBuilder siloBuilder, Func<Exception> failure) =>
            siloBuilder.Services.AddSingleton<ICustomerStore>(sp =>
            {
                var serviceId = sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId;
                return new UnreadableLog(MemoryCustomerStore.ForService(serviceId), serviceId, failure);
            });

        private static readonly ConcurrentDictionary<string, int> Reads = new(StringComparer.Ordinal);

        public static int ReadsOf(string serviceId) => Reads.GetValueOrDefault(serviceId);

        public override async IAsyncEnumerable<CustomerDay> ReadPurchaseDaysAsync(
            DateTimeOffset? until, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Reads.AddOrUpdate(serviceId, 1, (_, n) => n + 1);
            await Task.Yield();
            if (cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            throw failure();
        }
    }
}

/// <summary>
/// A fit that fails in a way the engine did not foresee: the model's status, open to agents,
/// says what kind of failure it was, but not the driver's message, which can carry the
/// database's host, port or credentials' names; the server's log has it.
/// </summary>
public sealed class UnforeseenFitFailureTests : IAsyncLifetime
{
    private const string DriverMessage = "Failed to connect to db-7.internal.example:5432 as c360_owner";

    private TestCluster? _cluster;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.DeployAsync<SiloConfigurator>(silos: 1);

    public Task DisposeAsync() => ClusterFixture.StopAsync(_cluster);

    [Fact]
    public async Task TheStatusNamesTheKindOfFailureButNotTheDriversMessage()
    {
        var model = _cluster!.Client.GetGrain<IValueModelGrain>(IValueModelGrain.Key);

        var failed = await Eventually.PollAsync(model.GetAsync, s => s.LastFailure is not null);

        Assert.Equal("the scheduled fit could not read the log: an unexpected IOException; the server's log has the details", failed.LastFailure);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddCustomer360OnMemory(o =>
            {
                o.ValueModel.FitInterval = TimeSpan.FromMilliseconds(200);
                o.ValueModel.RefreshInterval = TimeSpan.FromMilliseconds(50);
            });
            ScheduledFitFailureTests.UnreadableLog.Register(siloBuilder, () => new IOException(DriverMessage));
        }
    }
}

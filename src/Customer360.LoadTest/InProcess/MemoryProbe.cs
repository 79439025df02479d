using Customer360.Contracts.Customers;
using Customer360.LoadTest.Workload;
using Orleans.Core.Internal;
using Orleans.TestingHost;

namespace Customer360.LoadTest.InProcess;

/// <summary>What the memory phase found: the managed heap the silos hold per active customer.</summary>
internal sealed record MemoryFigures(
    int RecentWindow,
    int IdempotencyWindow,
    int FullWindowCustomers,
    int TouchpointsPerCustomer,
    double BytesPerCustomerFullWindow,
    int AsRunCustomers,
    double BytesPerCustomerAsRun);

/// <summary>
/// Measures the memory an active customer costs the silo. The in-process cluster's grains live in
/// this process, so the managed heap is the silos' heap. Each figure is taken the same way:
/// the customers are deactivated (each saves its snapshot), the heap is measured after full
/// blocking collections, the customers are woken again, each rebuilt from its snapshot exactly
/// as after a restart, and the heap is measured again; the difference over the number of customers
/// is what one active customer holds (its grain, the customer, and the runtime's activation);
/// each figure is the median of the rises and falls of three such cycles.
/// Measuring around a deactivation keeps the store's own memory out of the figure: the memory
/// store keeps the whole log and the snapshots on the same heap, and they are there both times.
/// </summary>
internal static class MemoryProbe
{
    private const int Concurrency = 64;

    private const int Cycles = 3;

    /// <summary>
    /// The figure for <paramref name="asRun"/> (the customers as the workload left them), then for
    /// <see cref="InProcessSettings.MemoryCustomers"/> new customers given
    /// <see cref="InProcessSettings.MemoryTouchpoints"/> touchpoints each.
    /// </summary>
    public static async Task<MemoryFigures> RunAsync(
        TestCluster cluster, InProcessSettings settings, IReadOnlyCollection<string> asRun, Action<string> progress, CancellationToken cancellationToken)
    {
        var client = cluster.Client;
        progress($"memory: {asRun.Count:N0} customers as the run left them");
        var asRunBytes = await BytesPerCustomerAsync(client, asRun, cancellationToken);

        var fresh = FillWorkload(settings);
        var freshIds = fresh.Touchpoints.Select(t => t.CustomerId).Distinct(StringComparer.Ordinal).ToArray();
        progress($"memory: {freshIds.Length:N0} new customers, {settings.MemoryTouchpoints:N0} touchpoints each");
        var outcomes = new InProcessLoad.Outcomes();
        await InProcessLoad.ApplyAsync(client, InProcessLoad.Validated(fresh), settings.Concurrency, outcomes, cancellationToken);
        if (outcomes.Rejected > 0)
        {
            throw new InvalidOperationException($"memory phase: {outcomes.Rejected} touchpoints not applied: {string.Join("; ", outcomes.Problems)}");
        }

        fresh = null;
        var fullBytes = await BytesPerCustomerAsync(client, freshIds, cancellationToken);
        return new MemoryFigures(
            settings.RecentWindow ?? new Grains.Configuration.Customer360Options().RecentWindow,
            new Grains.Configuration.Customer360Options().IdempotencyWindow,
            freshIds.Length,
            settings.MemoryTouchpoints,
            fullBytes,
            asRun.Count,
            asRunBytes);
    }

    /// <summary>
    /// The generated touchpoints of the memory phase: spread evenly, so that every customer gets
    /// about <see cref="InProcessSettings.MemoryTouchpoints"/>, over event times as the run's.
    /// </summary>
    private static IngestWorkload FillWorkload(InProcessSettings settings) =>
        new WorkloadGenerator(settings.Seed + 2, settings.Mix with { Skew = 0 })
            .Generate($"{settings.RunId}-memory", settings.MemoryCustomers * settings.MemoryTouchpoints, settings.MemoryCustomers, DateTimeOffset.UtcNow);

    /// <summary>
    /// Heap with <paramref name="customers"/> active less heap with them asleep, per customer: the
    /// median over <see cref="Cycles"/> wake-and-sleep cycles of the rise on waking and the fall
    /// on going back to sleep. The runtime lets go of pooled buffers and of what earlier work
    /// left now and then (a pool unused for a minute, a finished test's cluster): such a release
    /// inside one step lowers that step's rise, or raises its fall, but leaves the others as they
    /// are, so the median of the steps leaves it out. Leaves the customers asleep.
    /// </summary>
    private static async Task<double> BytesPerCustomerAsync(IClusterClient client, IReadOnlyCollection<string> customers, CancellationToken cancellationToken)
    {
        if (customers.Count == 0)
        {
            return 0;
        }

        var steps = new List<double>(2 * Cycles);
        await DeactivateAsync(client, customers, cancellationToken);
        var asleep = await SettledHeapAsync(cancellationToken);
        for (var i = 0; i < Cycles; i++)
        {
            await ForEachAsync(customers, id => client.GetGrain<ICustomerGrain>(CustomerKeys.ToGrainKey(id)).GetViewAsync(), cancellationToken);
            var awake = await SettledHeapAsync(cancellationToken);
            steps.Add((awake - asleep) / (double)customers.Count);

            await DeactivateAsync(client, customers, cancellationToken);
            asleep = await SettledHeapAsync(cancellationToken);
            steps.Add((awake - asleep) / (double)customers.Count);
        }

        steps.Sort();
        return steps[steps.Count / 2];
    }

    /// <summary>Asks every customer to deactivate and waits until no customer grain is active.</summary>
    private static async Task DeactivateAsync(IClusterClient client, IReadOnlyCollection<string> customers, CancellationToken cancellationToken)
    {
        var management = client.GetGrain<IManagementGrain>(0);
        if (customers.Count > 0 && await ActiveCustomersAsync(management) == 0)
        {
            // The customers are active here: finding none means the statistics name them otherwise.
            throw new InvalidOperationException("memory phase: the runtime's statistics list no active customer grain");
        }

        await ForEachAsync(
            customers,
            id => client.GetGrain<ICustomerGrain>(CustomerKeys.ToGrainKey(id)).AsReference<IGrainManagementExtension>().DeactivateOnIdle().AsTask(),
            cancellationToken);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var active = await ActiveCustomersAsync(management);
            if (active == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"memory phase: {active} customers still active a minute after being asked to deactivate");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static async Task<int> ActiveCustomersAsync(IManagementGrain management) =>
        (await management.GetSimpleGrainStatistics())
            .Where(s => s.GrainType.Contains(nameof(Grains.Customers.CustomerGrain), StringComparison.Ordinal))
            .Sum(s => s.ActivationCount);

    /// <summary>
    /// The live heap once it has stopped moving: deactivations finish, and the runtime's pools and
    /// caches let go of buffers, for a little while after the last call.
    /// </summary>
    private static async Task<long> SettledHeapAsync(CancellationToken cancellationToken)
    {
        var previous = HeapAfterFullCollection();
        for (var i = 0; i < 30; i++)
        {
            await Task.Delay(100, cancellationToken);
            var heap = HeapAfterFullCollection();
            if (Math.Abs(heap - previous) < 64 * 1024)
            {
                return heap;
            }

            previous = heap;
        }

        return previous;
    }

    /// <summary>Live bytes on the managed heap after full, blocking, compacting collections.</summary>
    internal static long HeapAfterFullCollection()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: false);
    }

    private static Task ForEachAsync(IReadOnlyCollection<string> customers, Func<string, Task> call, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(customers, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (id, _) => await call(id));
}

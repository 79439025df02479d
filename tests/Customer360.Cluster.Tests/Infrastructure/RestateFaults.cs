using System.Collections.Concurrent;
using Customer360.Contracts.Customers;

namespace Customer360.Cluster.Tests.Infrastructure;

/// <summary>
/// Watches the customers' <c>RestateSegmentsAsync</c> calls: counts them, notes which went
/// through, and fails those of the customers named when armed with a timeout, as a hung silo
/// would, until healed. The silos of a test cluster share the process, so the state is static;
/// each test arms a prefix of its own customers, and only those are watched.
/// </summary>
internal sealed class RestateFaults : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<string, int> CallsById = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, bool> RestatedById = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, IReadOnlySet<string>> FailingByPrefix = new(StringComparer.Ordinal);

    /// <summary>Watches the customers whose ids start with <paramref name="prefix"/>, failing those in <paramref name="failing"/>.</summary>
    public static void Arm(string prefix, IEnumerable<string> failing) => FailingByPrefix[prefix] = failing.ToHashSet(StringComparer.Ordinal);

    /// <summary>Lets the customers of <paramref name="prefix"/> re-state from now on.</summary>
    public static void Heal(string prefix) => FailingByPrefix[prefix] = new HashSet<string>();

    public static int Calls(string customerId) => CallsById.GetValueOrDefault(customerId);

    public static bool Restated(string customerId) => RestatedById.ContainsKey(customerId);

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.Name == nameof(ICustomerGrain.RestateSegmentsAsync))
        {
            var customerId = CustomerKeys.FromGrainKey(context.TargetId.Key.ToString()!);
            var failing = FailingByPrefix.FirstOrDefault(p => customerId.StartsWith(p.Key, StringComparison.Ordinal)).Value;
            if (failing is not null)
            {
                CallsById.AddOrUpdate(customerId, 1, (_, n) => n + 1);
                if (failing.Contains(customerId))
                {
                    throw new TimeoutException($"customer {customerId} did not answer");
                }

                await context.Invoke();
                RestatedById[customerId] = true;
                return;
            }
        }

        await context.Invoke();
    }
}

using System.Collections.Concurrent;
using Customer360.Api.V1;
using Customer360.Contracts.Customers;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using static Customer360.EndToEnd.Tests.SyntheticCustomers;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// A customer that cannot be rescored, because it fails or hangs, holds up neither its page
/// nor the rest of the re-scoring sweep: it is passed over, tried again when the walk ends, and
/// reported if it fails again. The faults are injected into the real server by a grain call
/// filter on the customers' <c>RefreshValueAsync</c>.
/// </summary>
public sealed class SweepFailureTests
{
    private const int CustomerCount = 60;

    [Fact]
    public async Task CustomersThatFailOrHangArePassedOverRetriedAndReportedWhileTheRestAreRescored()
    {
        var prefix = "unreached-" + Guid.NewGuid().ToString("N")[..8];
        var faults = new RefreshFaults(stuck: $"{prefix}-3", failing: [$"{prefix}-7"], failingOnce: $"{prefix}-11");
        await using var server = await TestServer.StartAsync(
            settings: new Dictionary<string, string?>
            {
                ["Customer360:ValueModel:RefreshInterval"] = "00:00:00.250",
                // Short for the stuck customer, long beside a healthy one's answer on a busy machine.
                ["Customer360:ValueModel:SweepCallTimeout"] = "00:00:03",
                // Several pages, so that the walk goes on past the pages with the faults.
                ["Customer360:ValueModel:SweepPageSize"] = "5",
            },
            services: services => services.AddSingleton<IIncomingGrainCallFilter>(faults));
        try
        {
            await StreamAllAsync(server.Customers, Purchases(prefix, CustomerCount, DateTimeOffset.UtcNow.AddDays(-1), observationWeeks: 40, seed: 31));
            Assert.Equal(1, (await server.ValueModels.FitValueModelAsync(new FitValueModelRequest())).Version);

            var sweep = await SweptAsync(server.ValueModels, version: 1);

            // The walk reached every customer and went past the faults. The customer that failed
            // once was rescored when it was tried again; the two that failed again are reported.
            Assert.Equal(CustomerCount, sweep.Visited);
            Assert.Equal(CustomerCount - 2, sweep.Rescored);
            Assert.Equal(2, sweep.NotReached);
            Assert.Contains(faults.Stuck, sweep.LastError, StringComparison.Ordinal);
            Assert.Contains($"{prefix}-7", sweep.LastError, StringComparison.Ordinal);
            Assert.DoesNotContain(faults.FailingOnce, sweep.LastError, StringComparison.Ordinal);
            Assert.Equal(2, faults.Calls(faults.FailingOnce));
            Assert.Equal(2, faults.Calls($"{prefix}-7"));

            var reachable = Enumerable.Range(0, CustomerCount).Select(i => $"{prefix}-{i}").Where(id => id != faults.Stuck).ToArray();
            var views = await Task.WhenAll(reachable.Select(async id => await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id })));
            Assert.All(views.Where(v => v.CustomerId != $"{prefix}-7"), v => Assert.Equal(1, v.Value.ModelVersion));

            // The stuck customer answers at last: the sweep stopped waiting, not the call.
            faults.Release();
            await WaitForAsync(async () => (await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = faults.Stuck })).Value.ModelVersion == 1);
        }
        finally
        {
            faults.Release();
        }
    }

    [Fact]
    public async Task TooManyCustomersNotReachedStopTheSweepWhichResumesFromItsCursorOnceTheyAnswer()
    {
        var prefix = "unreached-" + Guid.NewGuid().ToString("N")[..8];
        var faults = new RefreshFaults(stuck: null, failing: [$"{prefix}-3", $"{prefix}-7"], failingOnce: null);
        await using var server = await TestServer.StartAsync(
            settings: new Dictionary<string, string?>
            {
                ["Customer360:ValueModel:RefreshInterval"] = "00:00:00.250",
                ["Customer360:ValueModel:SweepPageSize"] = "5",
                // Two failing customers are one more than a sweep passes over.
                ["Customer360:ValueModel:SweepMaxNotReached"] = "1",
            },
            services: services => services.AddSingleton<IIncomingGrainCallFilter>(faults));
        await StreamAllAsync(server.Customers, Purchases(prefix, CustomerCount, DateTimeOffset.UtcNow.AddDays(-1), observationWeeks: 40, seed: 32));
        Assert.Equal(1, (await server.ValueModels.FitValueModelAsync(new FitValueModelRequest())).Version);

        // The sweep stops at the page where the second failure shows, short of the end, and keeps
        // stopping there at each check while they fail.
        RescoringSweep? stopped = null;
        await WaitForAsync(async () =>
        {
            stopped = (await server.ValueModels.GetValueModelAsync(new GetValueModelRequest())).Sweep;
            return stopped is { ModelVersion: 1 } && stopped.LastError.Contains("more than the 1", StringComparison.Ordinal);
        });
        var ids = Enumerable.Range(0, CustomerCount).Select(i => $"{prefix}-{i}").Order(StringComparer.Ordinal).ToArray();
        var stoppedPage = Array.IndexOf(ids, $"{prefix}-7") / 5 * 5;
        Assert.Null(stopped!.CompletedAt);
        Assert.Equal(stoppedPage, stopped.Visited);
        Assert.Equal(ids[stoppedPage - 1], stopped.Cursor);

        // Once they answer, the sweep resumes from its cursor and completes with everyone.
        faults.Failures = false;
        var done = await SweptAsync(server.ValueModels, version: 1);
        Assert.Equal(0, done.NotReached);
        Assert.Equal(string.Empty, done.LastError);
        Assert.Equal(CustomerCount, done.Visited);

        // Resumed, not started again: every customer outside the stopped page, but the one passed
        // over before it, was asked once.
        Assert.Equal(CustomerCount - 6, ids.Count(id => faults.Calls(id) <= 1));

        // The stopped page's four other customers rescored themselves when it was first tried,
        // though the page did not count; when it went through they were current already.
        Assert.Equal(CustomerCount - 4, done.Rescored);
        var views = await Task.WhenAll(Enumerable.Range(0, CustomerCount).Select(async i =>
            await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = $"{prefix}-{i}" })));
        Assert.All(views, v => Assert.Equal(1, v.Value.ModelVersion));
    }

    /// <summary>
    /// Faults in customers' <c>RefreshValueAsync</c>: one may hang until released (as on a hung
    /// silo), some throw while <see cref="Failures"/> is on (as with an unreadable log), and one
    /// may throw on its first call only.
    /// </summary>
    private sealed class RefreshFaults(string? stuck, IReadOnlyCollection<string> failing, string? failingOnce) : IIncomingGrainCallFilter
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

        public string Stuck => stuck!;

        public string FailingOnce => failingOnce!;

        public volatile bool Failures = true;

        public int Calls(string customerId) => _calls.GetValueOrDefault(customerId);

        public void Release() => _released.TrySetResult();

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(ICustomerGrain.RefreshValueAsync))
            {
                var customerId = CustomerKeys.FromGrainKey(context.TargetId.Key.ToString()!);
                var call = _calls.AddOrUpdate(customerId, 1, (_, n) => n + 1);
                if (customerId == stuck)
                {
                    await _released.Task;
                }
                else if ((Failures && failing.Contains(customerId)) || (customerId == failingOnce && call == 1))
                {
                    throw new InvalidOperationException($"customer {customerId} cannot be restored");
                }
            }

            await context.Invoke();
        }
    }
}

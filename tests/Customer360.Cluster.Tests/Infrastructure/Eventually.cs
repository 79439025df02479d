using System.Diagnostics;

namespace Customer360.Cluster.Tests.Infrastructure;

/// <summary>
/// Polls for state that converges asynchronously (segment figures follow customers through a
/// timed flush). Correctness never rests on a sleep: the probe runs until its condition holds
/// or a generous deadline passes, and the caller asserts on the last observation.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    public static async Task<T> PollAsync<T>(Func<Task<T>> probe, Func<T, bool> settled, TimeSpan? deadline = null)
    {
        var stopwatch = Stopwatch.StartNew();
        var limit = deadline ?? DefaultDeadline;
        while (true)
        {
            var observed = await probe();
            if (settled(observed) || stopwatch.Elapsed >= limit)
            {
                return observed;
            }

            await Task.Delay(PollInterval);
        }
    }
}

using Customer360.LoadTest.Engine;

namespace Customer360.LoadTest.Tests;

public sealed class OfferedRatePacerTests
{
    [Fact]
    public void OnlyTurnsAlreadyDueJoinAMessage()
    {
        // One send per 1,000 seconds: the first is due at the start, the second long after.
        var pacer = new OfferedRatePacer(0.001);
        pacer.Start();

        Assert.True(pacer.TryTakeDueTurn(out var first));
        Assert.False(pacer.TryTakeDueTurn(out var second));
        Assert.Equal(TimeSpan.FromSeconds(1000), System.Diagnostics.Stopwatch.GetElapsedTime(first, second));
    }

    [Fact]
    public async Task EveryTurnIsTakenOnceWhicheverWayItIsTaken()
    {
        // A million sends per second: after a short wait thousands are due, and eight senders
        // taking them at once, by waiting or by trying, never take the same one twice.
        var pacer = new OfferedRatePacer(1_000_000);
        pacer.Start();
        await Task.Delay(20);
        var taken = new System.Collections.Concurrent.ConcurrentBag<long>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(sender => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                if (sender % 2 == 0 && pacer.TryTakeDueTurn(out var due))
                {
                    taken.Add(due);
                }
                else
                {
                    taken.Add(await pacer.WaitForTurnAsync(CancellationToken.None));
                }
            }
        })));

        Assert.Equal(taken.Count, taken.Distinct().Count());
    }
}

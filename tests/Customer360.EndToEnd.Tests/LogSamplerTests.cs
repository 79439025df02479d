using Customer360.Grains.Diagnostics;

namespace Customer360.EndToEnd.Tests;

/// <summary>One log line a period for each kind of event, with a count of those held back.</summary>
public sealed class LogSamplerTests
{
    [Fact]
    public void OneOfEachKindIsLoggedAPeriodAndTheNextSaysHowManyWereHeldBack()
    {
        var clock = new SteppedClock();
        var sampler = new LogSampler(TimeSpan.FromSeconds(10), clock);
        long heldBack;

        var first = sampler.ShouldLog("unauthenticated|", out var firstHeldBack);
        var repeats = Enumerable.Range(0, 3).Select(_ => sampler.ShouldLog("unauthenticated|", out heldBack)).ToList();
        var otherKind = sampler.ShouldLog("permission_denied|tills", out _);
        clock.Advance(TimeSpan.FromSeconds(9));
        var tooSoon = sampler.ShouldLog("unauthenticated|", out _);
        clock.Advance(TimeSpan.FromSeconds(1));
        var next = sampler.ShouldLog("unauthenticated|", out heldBack);

        Assert.True(first);
        Assert.Equal(0, firstHeldBack);
        Assert.Equal([false, false, false], repeats);
        Assert.True(otherKind);
        Assert.False(tooSoon);
        Assert.True(next);
        Assert.Equal(4, heldBack);
    }

    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = 1_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}

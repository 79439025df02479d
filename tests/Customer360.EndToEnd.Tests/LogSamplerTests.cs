using Customer360.Grains.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// One log line a period for each kind of event, with a count of those held back; and when the
/// events stop, a last report of the ones held back since the last line.
/// </summary>
public sealed class LogSamplerTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    [Fact]
    public void OneOfEachKindIsLoggedAPeriodAndTheNextSaysHowManyWereHeldBack()
    {
        var clock = new FakeTimeProvider();
        using var sampler = new LogSampler<string>(Period, clock: clock);
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

    [Fact]
    public void WhenAFloodEndsTheCountOfItsLastPeriodIsReportedOnce()
    {
        var clock = new FakeTimeProvider();
        var reports = new List<(string Kind, long HeldBack)>();
        using var sampler = new LogSampler<string>(Period, (kind, count) => reports.Add((kind, count)), clock);

        Assert.True(sampler.ShouldLog("commit", out _));
        for (var i = 0; i < 7; i++)
        {
            Assert.False(sampler.ShouldLog("commit", out _));
        }

        Assert.True(sampler.ShouldLog("stream", out _)); // logged at once: nothing of it held back
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(reports);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([("commit", 7L)], reports);

        // Nothing more held back: no more reports, however long it stays quiet.
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Single(reports);
    }

    [Fact]
    public void TheReportCountsAsItsKindsLineForThePeriod()
    {
        var clock = new FakeTimeProvider();
        var reports = new List<long>();
        using var sampler = new LogSampler<int>(Period, (_, count) => reports.Add(count), clock);

        Assert.True(sampler.ShouldLog(1, out _));
        Assert.False(sampler.ShouldLog(1, out _));
        clock.Advance(Period);
        Assert.Equal([1L], reports);

        // Just after the report, the next one is held back, and told of by the next report.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(sampler.ShouldLog(1, out _));
        Assert.False(sampler.ShouldLog(1, out _));
        clock.Advance(Period);
        Assert.Equal([1L, 2L], reports);

        // A quiet period later the kind is logged at once again, with nothing held back.
        clock.Advance(Period);
        Assert.True(sampler.ShouldLog(1, out var heldBack));
        Assert.Equal(0, heldBack);
        Assert.Equal([1L, 2L], reports);
    }

    [Fact]
    public void DisposingReportsWhatIsStillHeldBack()
    {
        var clock = new FakeTimeProvider();
        var reports = new List<(string Kind, long HeldBack)>();
        var sampler = new LogSampler<string>(Period, (kind, count) => reports.Add((kind, count)), clock);

        Assert.True(sampler.ShouldLog("a", out _));
        Assert.False(sampler.ShouldLog("a", out _));
        Assert.False(sampler.ShouldLog("a", out _));
        Assert.True(sampler.ShouldLog("b", out _));
        clock.Advance(TimeSpan.FromSeconds(3));
        sampler.Dispose();
        Assert.Equal([("a", 2L)], reports);

        // The timer is gone with it.
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(reports);
    }
}

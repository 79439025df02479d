using Customer360.Grains.Values;
using Microsoft.Extensions.Time.Testing;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// The re-scoring sweep's pace: on schedule it waits out each page's share of a second; a slow
/// page is made up by the next ones; after a long stall it makes up at most a second's worth of
/// customers at full speed, then waits again.
/// </summary>
public sealed class SweepPacerTests
{
    // A page is a tenth of a second's worth.
    private const int Rate = 1_000;
    private const int Page = 100;
    private static readonly TimeSpan PageTime = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void OnScheduleEachPageWaitsOutWhatIsLeftOfItsShare()
    {
        var clock = new FakeTimeProvider();
        var pacer = new SweepPacer(Rate, clock);

        var instantPage = pacer.DelayAfter(Page);
        clock.Advance(instantPage);
        clock.Advance(TimeSpan.FromMilliseconds(30));
        var pageOf30Milliseconds = pacer.DelayAfter(Page);
        clock.Advance(pageOf30Milliseconds);
        var next = pacer.DelayAfter(Page);

        Assert.Equal(PageTime, instantPage);
        Assert.Equal(TimeSpan.FromMilliseconds(70), pageOf30Milliseconds);
        Assert.Equal(PageTime, next);
    }

    [Fact]
    public void AShortSlowPageIsMadeUpByTheNextOnes()
    {
        var clock = new FakeTimeProvider();
        var pacer = new SweepPacer(Rate, clock);
        Assert.Equal(PageTime, pacer.DelayAfter(Page));
        clock.Advance(PageTime);

        // A page of a quarter of a second: two and a half pages' time for one.
        clock.Advance(TimeSpan.FromMilliseconds(250));
        var afterSlowPage = pacer.DelayAfter(Page);
        var madeUp = pacer.DelayAfter(Page);
        var partly = pacer.DelayAfter(Page);
        clock.Advance(partly);
        var onPaceAgain = pacer.DelayAfter(Page);

        Assert.Equal(TimeSpan.Zero, afterSlowPage);
        Assert.Equal(TimeSpan.Zero, madeUp);
        // Four pages in 0.35 s: the fourth waits until 0.4 s, back on the schedule from the start.
        Assert.Equal(TimeSpan.FromMilliseconds(50), partly);
        Assert.Equal(PageTime, onPaceAgain);
    }

    [Fact]
    public void AfterALongStallAtMostASecondsWorthIsMadeUpWithoutWaiting()
    {
        var clock = new FakeTimeProvider();
        var pacer = new SweepPacer(Rate, clock);
        clock.Advance(pacer.DelayAfter(Page));

        // A page held up for a minute (a slow database, a long pause), then pages that take no time.
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.Zero, pacer.DelayAfter(Page));
        var withoutWaiting = 0;
        var wait = TimeSpan.Zero;
        while (withoutWaiting < 100 * Rate)
        {
            wait = pacer.DelayAfter(Page);
            if (wait > TimeSpan.Zero)
            {
                break;
            }

            withoutWaiting += Page;
        }

        // One second's worth is caught up, not the minute's: then the pace is kept again.
        Assert.InRange(withoutWaiting, Rate - Page, Rate);
        Assert.InRange(wait, TimeSpan.FromTicks(1), PageTime);
        clock.Advance(wait);
        Assert.Equal(PageTime, pacer.DelayAfter(Page));
    }

    [Fact]
    public void WithoutARateNoPageWaits()
    {
        var clock = new FakeTimeProvider();
        var pacer = new SweepPacer(0, clock);

        Assert.All(Enumerable.Range(0, 10).Select(_ => pacer.DelayAfter(Page)), wait => Assert.Equal(TimeSpan.Zero, wait));
    }
}

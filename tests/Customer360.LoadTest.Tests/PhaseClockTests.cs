using System.Diagnostics;
using Customer360.LoadTest.Engine;

namespace Customer360.LoadTest.Tests;

public sealed class PhaseClockTests
{
    [Fact]
    public void TheProgressLineCountsAcksAndRejectionsAndGivesTheLatencySinceTheLastLine()
    {
        var clock = new PhaseClock();
        var sent = Stopwatch.GetTimestamp();
        clock.MarkSend(sent);
        clock.MarkAck(sent + Stopwatch.Frequency / 100, sent);
        clock.MarkAck(sent + Stopwatch.Frequency / 50, sent, rejected: true);

        var first = clock.ProgressLine(10, "acknowledged");
        var second = clock.ProgressLine(10, "acknowledged");

        Assert.StartsWith("2 of 10 acknowledged (", first);
        Assert.Contains(", 1 rejected, p99 20.0 ms over the last 2", first);
        Assert.Contains(", 1 rejected, none answered since the last line", second);
    }

    [Fact]
    public void ACallThatFailsWithoutAnAckIsCountedAsRejected()
    {
        var clock = new PhaseClock();
        clock.MarkRejected();

        Assert.Equal(1, clock.Rejected);
        Assert.Equal(0, clock.Acks);
    }
}

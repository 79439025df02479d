using System.Diagnostics;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// Times the engine phase over all streams, from the first touchpoint sent to the last ack
/// received, and counts acks as they come for the progress line.
/// </summary>
internal sealed class PhaseClock
{
    private long _firstSend;
    private long _lastAck;
    private long _acks;

    public long Acks => Interlocked.Read(ref _acks);

    /// <summary>First send to last ack; zero before any ack.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            var first = Interlocked.Read(ref _firstSend);
            var last = Interlocked.Read(ref _lastAck);
            return first == 0 || last < first ? TimeSpan.Zero : Stopwatch.GetElapsedTime(first, last);
        }
    }

    /// <summary>Time since the first send, for progress while the phase runs.</summary>
    public TimeSpan Running
    {
        get
        {
            var first = Interlocked.Read(ref _firstSend);
            return first == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(first);
        }
    }

    public void MarkSend(long timestamp) => Interlocked.CompareExchange(ref _firstSend, timestamp, 0);

    public void MarkAck(long timestamp)
    {
        Interlocked.Increment(ref _acks);
        var last = Interlocked.Read(ref _lastAck);
        while (timestamp > last)
        {
            var seen = Interlocked.CompareExchange(ref _lastAck, timestamp, last);
            if (seen == last)
            {
                return;
            }

            last = seen;
        }
    }
}

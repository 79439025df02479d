using System.Diagnostics;
using System.Globalization;
using HdrHistogram;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// Times the engine phase over all streams, from the first touchpoint sent to the last ack
/// received, and keeps what the progress line shows while it runs: acks and rejections so far,
/// and the latency of the acks since the last progress line.
/// </summary>
internal sealed class PhaseClock
{
    // HdrHistogram's recorder takes values from many streams at once and hands over the
    // interval's histogram without stopping them.
    private readonly Recorder _recent = HistogramFactory.With64BitBucketSize()
        .WithValuesFrom(1).WithValuesUpTo(LatencySummary.HighestMicroseconds).WithPrecisionOf(3)
        .WithThreadSafeWrites().WithThreadSafeReads().Create();

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    private long _firstSend;
    private long _lastAck;
    private long _acks;
    private long _rejected;

    public long Acks => Interlocked.Read(ref _acks);

    /// <summary>Acks that refused their touchpoint.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

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

    /// <summary>Notes an ack received at <paramref name="timestamp"/> for a touchpoint timed from <paramref name="latencyFrom"/>.</summary>
    public void MarkAck(long timestamp, long latencyFrom, bool rejected = false)
    {
        _recent.RecordValue(Math.Clamp((long)Stopwatch.GetElapsedTime(latencyFrom, timestamp).TotalMicroseconds, 1, LatencySummary.HighestMicroseconds));
        if (rejected)
        {
            Interlocked.Increment(ref _rejected);
        }

        MarkAck(timestamp);
    }

    /// <summary>Notes a call that did not apply its touchpoint, when the ack itself does not say so.</summary>
    public void MarkRejected() => Interlocked.Increment(ref _rejected);

    /// <summary>Notes an ack received at <paramref name="timestamp"/>, untimed.</summary>
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

    /// <summary>The latency of the acks timed since the last call, in microseconds; its count is 0 when none was.</summary>
    public LatencySummary TakeRecentLatency() => LatencySummary.From(_recent.GetIntervalHistogram());

    /// <summary>Gives <paramref name="progress"/> a line every few seconds until cancelled.</summary>
    /// <param name="done">What an ack means, for the line: "acknowledged", "applied".</param>
    public async Task ReportProgressAsync(int total, string done, Action<string> progress, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(ProgressInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                progress(ProgressLine(total, done));
            }
        }
        catch (OperationCanceledException)
        {
            // The phase is over.
        }
    }

    /// <summary>What a person watching the run sees every few seconds: acks, rate, rejections and the latest p99.</summary>
    internal string ProgressLine(int total, string done)
    {
        var acks = Acks;
        var seconds = Running.TotalSeconds;
        var recent = TakeRecentLatency();
        var p99 = recent.Count > 0
            ? $"p99 {(recent.P99 / 1000.0).ToString("N1", CultureInfo.InvariantCulture)} ms over the last {recent.Count:N0}"
            : "none answered since the last line";
        return $"{acks:N0} of {total:N0} {done} ({(seconds > 0 ? acks / seconds : 0):N0}/s so far), {Rejected:N0} rejected, {p99}";
    }
}

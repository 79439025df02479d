using System.Collections.Concurrent;
using HdrHistogram;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// Latencies and failures of one kind of call made from many threads at once: an HdrHistogram
/// behind a lock, and failures counted by gRPC status code (or another short name).
/// </summary>
internal sealed class OperationTally
{
    private readonly LongHistogram _latency = LatencySummary.CreateHistogram();
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private long _succeeded;

    public long Succeeded => Interlocked.Read(ref _succeeded);

    /// <summary>Records one successful call, timed between two <see cref="System.Diagnostics.Stopwatch"/> timestamps.</summary>
    public void Succeed(long from, long to)
    {
        lock (_latency)
        {
            LatencySummary.Record(_latency, from, to);
        }

        Interlocked.Increment(ref _succeeded);
    }

    /// <summary>Records a sample that is not a call of its own (a propagation, a staleness), in microseconds.</summary>
    public void RecordMicroseconds(long microseconds)
    {
        lock (_latency)
        {
            _latency.RecordValue(Math.Max(0, microseconds));
        }

        Interlocked.Increment(ref _succeeded);
    }

    public void Fail(string code) => _errors.AddOrUpdate(code, 1, (_, n) => n + 1);

    public LatencySummary Latency()
    {
        lock (_latency)
        {
            return LatencySummary.From(_latency);
        }
    }

    /// <summary>Failures by code, in code order.</summary>
    public IReadOnlyDictionary<string, long> Errors() =>
        new SortedDictionary<string, long>(_errors, StringComparer.Ordinal);
}

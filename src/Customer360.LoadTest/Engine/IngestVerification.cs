using System.Globalization;
using Customer360.LoadTest.Workload;

namespace Customer360.LoadTest.Engine;

/// <summary>A customer's figures as the engine shows them: touchpoints counted and net spend.</summary>
internal readonly record struct CustomerFigures(long Touchpoints, decimal NetSpend);

/// <summary>What the verification found: customers compared, and every mismatch (the first few word for word).</summary>
internal sealed record VerificationResult(int CustomersChecked, int Mismatches, int Dropped, int Doubled, IReadOnlyList<string> Samples)
{
    public bool Passed => Mismatches == 0;
}

/// <summary>
/// Nothing lost, nothing doubled: after a run, each customer's touchpoint count and net spend in
/// the engine must equal those of the touchpoints the tool saw acknowledged as durable. A
/// touchpoint sent but never answered (a broken stream) may or may not have been recorded, so a
/// customer with any such touchpoint is held only to a range.
/// </summary>
internal static class IngestVerification
{
    private const int SampleCount = 10;

    /// <summary>
    /// Reads every customer <paramref name="sent"/> touched back with <paramref name="read"/>
    /// (null for a customer the engine does not know), <paramref name="concurrency"/> at a time,
    /// and compares them (<see cref="Compare"/>).
    /// </summary>
    public static async Task<VerificationResult> CheckAsync(
        IEnumerable<WorkloadTouchpoint> sent,
        IReadOnlySet<string> applied,
        IReadOnlySet<string> answered,
        Func<string, CancellationToken, Task<CustomerFigures?>> read,
        int concurrency,
        CancellationToken cancellationToken)
    {
        var touchpoints = sent as IReadOnlyCollection<WorkloadTouchpoint> ?? [.. sent];
        var ids = touchpoints.Select(t => t.CustomerId).Distinct(StringComparer.Ordinal);
        var figures = new System.Collections.Concurrent.ConcurrentDictionary<string, CustomerFigures>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            if (await read(id, ct) is { } found)
            {
                figures[id] = found;
            }
        });
        return Compare(touchpoints, applied, answered, figures);
    }

    /// <param name="sent">Every touchpoint the run sent, warm-up included when it went to the same customers.</param>
    /// <param name="applied">Event ids acknowledged accepted or duplicate.</param>
    /// <param name="answered">Event ids that got any acknowledgement.</param>
    /// <param name="engine">The engine's figures per customer id; a customer missing here has none.</param>
    public static VerificationResult Compare(
        IEnumerable<WorkloadTouchpoint> sent,
        IReadOnlySet<string> applied,
        IReadOnlySet<string> answered,
        IReadOnlyDictionary<string, CustomerFigures> engine)
    {
        var expected = new Dictionary<string, (long Count, decimal Net, long Unknown)>(StringComparer.Ordinal);
        foreach (var touchpoint in sent)
        {
            var (count, net, unknown) = expected.GetValueOrDefault(touchpoint.CustomerId);
            if (applied.Contains(touchpoint.EventId))
            {
                (count, net) = (count + 1, net + touchpoint.NetSpendChange);
            }
            else if (!answered.Contains(touchpoint.EventId))
            {
                unknown++;
            }

            expected[touchpoint.CustomerId] = (count, net, unknown);
        }

        int mismatches = 0, dropped = 0, doubled = 0;
        var samples = new List<string>();
        foreach (var (customerId, (count, net, unknown)) in expected.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var actual = engine.GetValueOrDefault(customerId);
            var countOk = unknown == 0 ? actual.Touchpoints == count : actual.Touchpoints >= count && actual.Touchpoints <= count + unknown;
            var netOk = unknown > 0 || actual.NetSpend == net;
            if (countOk && netOk)
            {
                continue;
            }

            mismatches++;
            var what = actual.Touchpoints < count ? "lost" : actual.Touchpoints > count + unknown ? "doubled" : "different";
            dropped += what == "lost" ? 1 : 0;
            doubled += what == "doubled" ? 1 : 0;
            if (samples.Count < SampleCount)
            {
                var range = unknown == 0 ? count.ToString(CultureInfo.InvariantCulture) : $"{count} to {count + unknown}";
                samples.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"customer {customerId}: the engine has {actual.Touchpoints} touchpoints, net spend {actual.NetSpend:0.00}; acknowledged: {range}, net spend {net:0.00} ({what})"));
            }
        }

        return new VerificationResult(expected.Count, mismatches, dropped, doubled, samples);
    }
}

using System.Text;

namespace Customer360.LoadTest.Workload;

/// <summary>The touchpoints of one benchmark run, in the order they are sent.</summary>
internal sealed class IngestWorkload(int customerCount, IReadOnlyList<WorkloadTouchpoint> touchpoints)
{
    public int CustomerCount { get; } = customerCount;

    public IReadOnlyList<WorkloadTouchpoint> Touchpoints { get; } = touchpoints;

    /// <summary>Mean size of the stored JSON payload, in UTF-8 bytes.</summary>
    public double AveragePayloadBytes { get; } = touchpoints.Count == 0
        ? 0
        : touchpoints.Average(t => (double)Encoding.UTF8.GetByteCount(t.Payload));
}

using System.Text;

namespace Customer360.LoadTest.Workload;

/// <summary>The touchpoints of one benchmark run, in the order they are sent.</summary>
internal sealed class IngestWorkload(int customerCount, IReadOnlyList<WorkloadTouchpoint> touchpoints)
{
    public int CustomerCount { get; } = customerCount;

    public IReadOnlyList<WorkloadTouchpoint> Touchpoints { get; } = touchpoints;

    /// <summary>The share of the touchpoints that the busiest <paramref name="fraction"/> of the customers received.</summary>
    public double ShareOfBusiest(double fraction)
    {
        var busiest = Math.Max(1, (int)Math.Ceiling(CustomerCount * fraction));
        var perCustomer = Touchpoints.CountBy(t => t.CustomerIndex).Select(c => c.Value).OrderDescending().Take(busiest).Sum();
        return Touchpoints.Count == 0 ? 0 : (double)perCustomer / Touchpoints.Count;
    }

    /// <summary>Mean size of the stored JSON payload, in UTF-8 bytes.</summary>
    public double AveragePayloadBytes { get; } = touchpoints.Count == 0
        ? 0
        : touchpoints.Average(t => (double)Encoding.UTF8.GetByteCount(t.Payload));
}

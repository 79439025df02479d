using System.Diagnostics.Metrics;
using Customer360.Grains.Customers;

namespace Customer360.Grains.Diagnostics;

/// <summary>
/// The engine's own metrics, on the meter <see cref="MeterName"/>: what the tills were answered,
/// how the customer log's commits go, and how many customers the silo holds. Exported with the
/// runtime's, ASP.NET Core's and Orleans' own when the server is given an OpenTelemetry
/// endpoint (README, "Metrics"); without a listener they cost next to nothing.
/// </summary>
public sealed class Customer360Metrics
{
    public const string MeterName = "Customer360";

    /// <summary>The values of the touchpoints counter's <c>outcome</c> tag.</summary>
    public static class Outcomes
    {
        public const string Accepted = "accepted";
        public const string Duplicate = "duplicate";
        public const string Conflict = "conflict";
        public const string Erased = "erased";
        public const string Rejected = "rejected";
    }

    private readonly Counter<long> _touchpoints;
    private readonly Histogram<double> _answerDuration;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<int> _commitEntries;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _throttled;
    private readonly Counter<long> _capped;
    private readonly UpDownCounter<long> _streams;

    public Customer360Metrics(IMeterFactory meters, ActiveCustomers active)
    {
        var meter = meters.Create(MeterName);
        _touchpoints = meter.CreateCounter<long>(
            "customer360.touchpoints", "{touchpoint}", "Touchpoints answered, by outcome: accepted, duplicate, conflict (an event id seen with other content), erased (dated within an erased customer's history) or rejected (bad input, or not applied)");
        _answerDuration = meter.CreateHistogram<double>(
            "customer360.touchpoint.duration", "s", "From a touchpoint's arrival at the server to its answer, by outcome; for an accepted one, its commit included. A stream answers in arrival order, so a touchpoint's time includes waiting for those before it of the same customer");
        _commitDuration = meter.CreateHistogram<double>(
            "customer360.log.commit.duration", "s", "How long each commit of the customer log took, from the start of its transaction to its end");
        _commitEntries = meter.CreateHistogram<int>(
            "customer360.log.commit.entries", "{entry}", "Log entries each commit of the customer log carried");
        _refused = meter.CreateCounter<long>(
            "customer360.api.refused", "{call}", "Calls refused for their API key, by code: unauthenticated (no key, an unknown or removed one), permission_denied (a key without the role) or resource_exhausted (beyond the key's rate limit)");
        _throttled = meter.CreateCounter<long>(
            "customer360.api.throttled", "{message}", "Stream messages that waited for their API key's rate limit, by key");
        _capped = meter.CreateCounter<long>(
            "customer360.api.capped", "{call}", "Watches and touchpoint streams refused as they opened because the server had as many open as it allows (MaxWatches, MaxTouchpointStreams), by call: watch or touchpoint_stream");
        _streams = meter.CreateUpDownCounter<long>(
            "customer360.api.streams", "{stream}", "Touchpoint streams (StreamTouchpoints, StreamTouchpointBatches) open on this server");
        meter.CreateObservableGauge(
            "customer360.customers.active", () => active.Count, "{customer}", "Customers this silo holds in memory");
    }

    /// <summary>Counts one touchpoint answered with <paramref name="outcome"/> (<see cref="Outcomes"/>), <paramref name="took"/> after it arrived.</summary>
    public void Answered(string outcome, TimeSpan took)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _touchpoints.Add(1, tag);
        _answerDuration.Record(took.TotalSeconds, tag);
    }

    /// <summary>Counts one call refused for its key, with <paramref name="code"/> ("unauthenticated", "permission_denied" or "resource_exhausted").</summary>
    public void Refused(string code) => _refused.Add(1, new KeyValuePair<string, object?>("code", code));

    /// <summary>Counts one watch or touchpoint stream (<paramref name="call"/>: "watch" or "touchpoint_stream") refused for the server's cap on them.</summary>
    public void Capped(string call) => _capped.Add(1, new KeyValuePair<string, object?>("call", call));

    /// <summary>Counts one stream message that waited for the rate limit of the key named <paramref name="key"/>.</summary>
    public void Throttled(string key) => _throttled.Add(1, new KeyValuePair<string, object?>("key", key));

    /// <summary>Counts a touchpoint stream opened; <see cref="StreamClosed"/> when it ends.</summary>
    public void StreamOpened() => _streams.Add(1);

    public void StreamClosed() => _streams.Add(-1);

    /// <summary>Records one commit of the customer log: its entries and how long it took.</summary>
    public void Committed(int entries, TimeSpan took)
    {
        _commitDuration.Record(took.TotalSeconds);
        _commitEntries.Record(entries);
    }
}

using Customer360.LoadTest.Engine;
using Customer360.LoadTest.Workload;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// The verification at the end of a load run, fed the engine figures a faithful engine would
/// show, then figures with one touchpoint dropped or doubled.
/// </summary>
public sealed class IngestVerificationTests
{
    private static readonly IngestWorkload Workload = new WorkloadGenerator(7).Generate("verify", 2_000, 50, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));

    private static IReadOnlySet<string> All => Workload.Touchpoints.Select(t => t.EventId).ToHashSet(StringComparer.Ordinal);

    /// <summary>What an engine that recorded exactly <paramref name="recorded"/> would show.</summary>
    private static Dictionary<string, CustomerFigures> Engine(IEnumerable<WorkloadTouchpoint> recorded) =>
        recorded.GroupBy(t => t.CustomerId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new CustomerFigures(g.Count(), g.Sum(t => t.NetSpendChange)), StringComparer.Ordinal);

    [Fact]
    public void AFaithfulEnginePasses()
    {
        var result = IngestVerification.Compare(Workload.Touchpoints, All, All, Engine(Workload.Touchpoints));

        Assert.True(result.Passed);
        Assert.Equal(Workload.CustomerCount, result.CustomersChecked);
        Assert.Empty(result.Samples);
    }

    [Fact]
    public void ADroppedTouchpointIsCaughtAndNamed()
    {
        var lost = Workload.Touchpoints[1234];

        var result = IngestVerification.Compare(Workload.Touchpoints, All, All, Engine(Workload.Touchpoints.Where(t => t != lost)));

        Assert.False(result.Passed);
        Assert.Equal(1, result.Mismatches);
        Assert.Equal(1, result.Dropped);
        Assert.Equal(0, result.Doubled);
        Assert.Contains($"customer {lost.CustomerId}:", Assert.Single(result.Samples), StringComparison.Ordinal);
        Assert.Contains("(lost)", result.Samples[0], StringComparison.Ordinal);
    }

    [Fact]
    public void ADoubledTouchpointIsCaughtAndNamed()
    {
        var twice = Workload.Touchpoints.First(t => t.NetSpendChange != 0);

        var result = IngestVerification.Compare(Workload.Touchpoints, All, All, Engine(Workload.Touchpoints.Append(twice)));

        Assert.False(result.Passed);
        Assert.Equal(1, result.Doubled);
        Assert.Contains($"customer {twice.CustomerId}:", Assert.Single(result.Samples), StringComparison.Ordinal);
        Assert.Contains("(doubled)", result.Samples[0], StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnansweredTouchpointMayOrMayNotBeRecordedButNothingMore()
    {
        // The stream broke before this one was acknowledged: either outcome is honest.
        var unanswered = Workload.Touchpoints[^1];
        var applied = All.Where(id => id != unanswered.EventId).ToHashSet(StringComparer.Ordinal);

        Assert.True(IngestVerification.Compare(Workload.Touchpoints, applied, applied, Engine(Workload.Touchpoints)).Passed);
        Assert.True(IngestVerification.Compare(Workload.Touchpoints, applied, applied, Engine(Workload.Touchpoints.SkipLast(1))).Passed);
        var doubled = IngestVerification.Compare(Workload.Touchpoints, applied, applied, Engine(Workload.Touchpoints.Append(unanswered)));
        Assert.Equal(1, doubled.Doubled);
    }

    [Fact]
    public void ARejectedTouchpointMustNotBeRecorded()
    {
        var rejected = Workload.Touchpoints[10];
        var applied = All.Where(id => id != rejected.EventId).ToHashSet(StringComparer.Ordinal);

        var result = IngestVerification.Compare(Workload.Touchpoints, applied, All, Engine(Workload.Touchpoints));

        Assert.False(result.Passed);
        Assert.Contains($"customer {rejected.CustomerId}:", Assert.Single(result.Samples), StringComparison.Ordinal);
    }
}

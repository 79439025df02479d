using Customer360.Contracts.Segments;
using Customer360.Domain.Values;
using Customer360.Grains.Configuration;
using Customer360.Grains.Customers;
using Customer360.Grains.Segments;
using Customer360.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Customer360.Grains.Values;

/// <summary>
/// The re-scoring sweep's path for customers that are not in memory: each is scored from the
/// value summary stored with its snapshot, with the same code a live customer scores with
/// (<see cref="ValueScorer.Assess(CustomerValueSummary, ValueModel, DateTimeOffset)"/>), and its
/// complete segment membership is re-stated, without restoring it from the store. Its snapshot
/// is left as it is: when the customer is next activated it is rescored as of that day anyway.
/// </summary>
/// <remarks>
/// Why reporting for a customer that is not in memory is safe although it may wake at any
/// moment: segments order a customer's updates by (version, score revision) and keep only the
/// highest. The sweep reports at the summary's version, which is the customer's last log entry.
/// <list type="bullet">
/// <item>Every silo is asked which of the page's customers it holds only after it has taken this
/// model (<see cref="IActiveCustomersGrain.ActiveAmongAsync"/>), and a customer counts as held from
/// the start of its activation. A customer activated after the answer therefore scores with
/// this model or a newer one, as of this day or a later one: the same figures at the same
/// revision, or a higher revision that wins.</item>
/// <item>A touchpoint recorded meanwhile has a higher version, and wins.</item>
/// <item>A customer with entries after its snapshot has no current summary and is asked to
/// rescore itself instead.</item>
/// </list>
/// A silo that cannot be asked (it died, or is leaving) might hold any of them: the whole page
/// is then left to the customers themselves.
/// </remarks>
public sealed partial class ColdRescoring(
    IClusterMembershipService membership,
    IGrainFactory grains,
    ValueModelCache valueModel,
    SegmentUpdateBuffer segments,
    IOptions<Customer360Options> options,
    TimeProvider clock,
    ILogger<ColdRescoring> logger)
{
    private readonly TimeSpan _callTimeout = options.Value.ValueModel.SweepCallTimeout;

    /// <summary>
    /// Rescores the customers of <paramref name="page"/> that have a current summary and are
    /// held by no silo, with model <paramref name="modelVersion"/> or newer. Returns the
    /// customers that must rescore themselves, and how many were rescored here.
    /// </summary>
    public async Task<(IReadOnlyList<string> Awake, int RescoredAtRest)> RescoreAsync(IReadOnlyList<SweepCandidate> page, long modelVersion)
    {
        string[] withSummary = [.. page.Where(c => c.Summary is not null).Select(c => c.CustomerId)];
        if (withSummary.Length == 0)
        {
            return (AllOf(page), 0);
        }

        var rules = await valueModel.RulesAtLeastAsync(modelVersion);
        if (rules.ValueModel is not { } model || model.Version < modelVersion)
        {
            return (AllOf(page), 0);
        }

        HashSet<string> held;
        try
        {
            held = await HeldAsync(withSummary, model.Version);
        }
        catch (Exception e)
        {
            LogSilosNotAsked(logger, e, page[0].CustomerId);
            return (AllOf(page), 0);
        }

        var now = clock.GetUtcNow();
        var awake = new List<string>(page.Count - withSummary.Length + held.Count);
        var restated = new List<FullMembership>(withSummary.Length);
        foreach (var (customerId, summary) in page)
        {
            if (summary is null || held.Contains(customerId))
            {
                awake.Add(customerId);
                continue;
            }

            var value = ValueScorer.Assess(summary, model, now);
            restated.Add(new FullMembership(customerId, new MembershipOrder(summary.Version, value.Revision), summary.Contributions(value)));
        }

        segments.ReportFull(restated);
        return (awake, restated.Count);
    }

    /// <summary>Which of <paramref name="customerIds"/> any silo holds, each silo having taken model <paramref name="modelVersion"/> first.</summary>
    private async Task<HashSet<string>> HeldAsync(string[] customerIds, long modelVersion)
    {
        // Every member that may hold activations, not only active ones: a silo that is leaving
        // cannot be asked, which leaves the page to the customers themselves.
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status is not (SiloStatus.Dead or SiloStatus.None))
            .Select(m => m.SiloAddress)
            .ToArray();
        if (silos.Length == 0)
        {
            // Membership not known yet: no answer is safe.
            throw new InvalidOperationException("This silo does not know the cluster's members yet.");
        }

        // A silo that does not answer in time (hung) leaves the page to the customers themselves,
        // as one that cannot be asked does.
        var answers = await Task.WhenAll(silos.Select(silo =>
            grains.GetGrain<IActiveCustomersGrain>(silo.ToParsableString()).ActiveAmongAsync(customerIds, modelVersion).WaitAsync(_callTimeout, clock)));
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var answer in answers)
        {
            held.UnionWith(answer);
        }

        return held;
    }

    private static List<string> AllOf(IReadOnlyList<SweepCandidate> page) => [.. page.Select(c => c.CustomerId)];

    [LoggerMessage(Level = LogLevel.Warning, Message = "The re-scoring sweep could not ask every silo which customers it holds (page from {FirstCustomer}); the page's customers rescore themselves")]
    private static partial void LogSilosNotAsked(ILogger logger, Exception exception, string firstCustomer);
}

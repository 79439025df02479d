using Customer360.Domain.Customers;
using Customer360.Domain.Validation;
using Customer360.Domain.Values;
using Customer360.Domain.Values.Models;

namespace Customer360.Grains.Configuration;

/// <summary>
/// The engine's settings, bound from the "Customer360" configuration section (appsettings or
/// environment variables such as <c>Customer360__Tiers__Gold=2500</c>).
/// </summary>
public sealed class Customer360Options
{
    public const string Section = "Customer360";

    /// <summary>Recent touchpoints kept in each customer's view.</summary>
    public int RecentWindow { get; set; } = 50;

    /// <summary>Most recently applied event ids each customer remembers to detect retries.</summary>
    public int IdempotencyWindow { get; set; } = 1024;

    /// <summary>Minimum value scores of the tiers, in the reporting currency.</summary>
    public TierThresholds Tiers { get; set; } = new();

    /// <summary>The currency all aggregates and scores are kept in.</summary>
    public string ReportingCurrency { get; set; } = "EUR";

    /// <summary>Units of the reporting currency per unit of each other accepted currency.</summary>
    public Dictionary<string, decimal> ExchangeRates { get; set; } = new()
    {
        ["USD"] = 0.92m,
        ["GBP"] = 1.17m,
        ["CHF"] = 1.05m,
    };

    public InputLimits Limits { get; set; } = new();

    /// <summary>How often each silo flushes batched segment updates; bounds segment staleness.</summary>
    public TimeSpan SegmentFlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How often a changed segment persists its figures on its own. Each segment checkpoint
    /// (every <see cref="SegmentCheckpointInterval"/>) persists every segment anyway, and
    /// recovery after a crash starts from the checkpoint, so this is only a backstop for
    /// segments that change between checkpoints without being persisted.
    /// </summary>
    public TimeSpan SegmentPersistInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often each silo records how far the stored segment figures reflect the log.</summary>
    public TimeSpan SegmentCheckpointInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How far a segment checkpoint trails the log: longer than any change takes from commit,
    /// through its customer and a silo's buffer, to its segment.
    /// </summary>
    public TimeSpan SegmentCheckpointLag { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// When a silo is declared dead, the survivors re-state every customer changed after its
    /// segment checkpoint (or their own, if lower); when its checkpoint cannot be read, every
    /// customer changed within this time before. Keep it well above the time failure detection takes (see Customer360:Silo:Membership).
    /// </summary>
    public TimeSpan SegmentRecoveryWindowOnSiloLoss { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a segment remembers that a customer is not its member (the customer left it, or
    /// was re-stated as not a member), so that an older update of that customer arriving late
    /// from another silo's buffer cannot make it a member. An update is late by at most the
    /// flush interval and its retries while the segment cannot be reached, or, from a silo cut
    /// off from the others, until failure detection declares that silo dead (its buffer is then
    /// lost, not late): so at least <see cref="SegmentRecoveryWindowOnSiloLoss"/>, which is kept
    /// well above that, and at least <see cref="SegmentCheckpointLag"/>. An update later still
    /// is taken as the customer's newest, until the customer is next re-stated. Unset, it is
    /// 5 minutes, or the longer of those two settings if either is longer, so that raising them
    /// never stops a server from starting.
    /// </summary>
    public TimeSpan? SegmentLateUpdateWindow { get; set; }

    /// <summary><see cref="SegmentLateUpdateWindow"/> as set, or its default.</summary>
    public TimeSpan EffectiveSegmentLateUpdateWindow =>
        SegmentLateUpdateWindow ?? new[] { TimeSpan.FromMinutes(5), SegmentRecoveryWindowOnSiloLoss, SegmentCheckpointLag }.Max();

    /// <summary>
    /// Most customers a segment remembers, within <see cref="SegmentLateUpdateWindow"/>, as not
    /// its members without ever having had them as members: a customer's full re-statement
    /// (on activation, by the re-scoring sweep, by recovery) names every segment, so without
    /// a limit each segment would remember every customer re-stated lately. Beyond it the
    /// oldest are forgotten first, so that a sweep going through the customers faster than
    /// this many per window shortens the window for them.
    /// </summary>
    public int SegmentNonMemberLimit { get; set; } = 100_000;

    /// <summary>
    /// A customer writes a snapshot after this many changes since its last one (and when it is
    /// deactivated). Between snapshots the log has the changes; activation replays them.
    /// </summary>
    public int SnapshotEvery { get; set; } = 100;

    /// <summary>The lifetime-value models: when they are refitted and how customers are scored.</summary>
    public ValueModelSettings ValueModel { get; set; } = new();

    public CustomerRules ToRules() => new()
    {
        RecentWindow = RecentWindow,
        IdempotencyWindow = IdempotencyWindow,
        Tiers = Tiers,
    };

    public CurrencyTable ToCurrencyTable() => new(ReportingCurrency, ExchangeRates);

    /// <summary>Null when the settings are usable, otherwise what is wrong.</summary>
    public string? Problem() =>
        RecentWindow is < 1 or > 10_000 ? "RecentWindow must be 1..10000"
        : IdempotencyWindow is < 1 or > 100_000 ? "IdempotencyWindow must be 1..100000"
        : Tiers.Problem() is { } tiers ? $"Tiers: {tiers}"
        : !CurrencyTable.IsCurrencyCode(ReportingCurrency) ? "ReportingCurrency must be an ISO-4217 code"
        : SegmentFlushInterval <= TimeSpan.Zero ? "SegmentFlushInterval must be positive"
        : SegmentPersistInterval <= TimeSpan.Zero ? "SegmentPersistInterval must be positive"
        : SegmentCheckpointInterval <= TimeSpan.Zero ? "SegmentCheckpointInterval must be positive"
        : SegmentCheckpointLag < SegmentFlushInterval ? "SegmentCheckpointLag must be at least SegmentFlushInterval"
        : SegmentRecoveryWindowOnSiloLoss <= TimeSpan.Zero ? "SegmentRecoveryWindowOnSiloLoss must be positive"
        : EffectiveSegmentLateUpdateWindow < SegmentRecoveryWindowOnSiloLoss || EffectiveSegmentLateUpdateWindow < SegmentCheckpointLag
            ? "SegmentLateUpdateWindow must be at least SegmentRecoveryWindowOnSiloLoss and SegmentCheckpointLag"
        : SegmentNonMemberLimit is < 1 or > 10_000_000 ? "SegmentNonMemberLimit must be 1..10000000"
        : SnapshotEvery is < 1 or > 1_000_000 ? "SnapshotEvery must be 1..1000000"
        : ValueModel.Problem() is { } valueModel ? $"ValueModel: {valueModel}"
        : Limits.Problem() is { } limits ? $"Limits: {limits}"
        : null;
}

/// <summary>Settings of the lifetime-value models (section "Customer360:ValueModel").</summary>
public sealed class ValueModelSettings
{
    /// <summary>How often the models are refitted on their own; a fit can also be asked for at any time.</summary>
    public TimeSpan FitInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often each silo checks for a newer fitted model, and the schedule is looked at.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Months of future purchases the CLV counts.</summary>
    public int HorizonMonths { get; set; } = 12;

    /// <summary>Annual discount rate of the CLV, applied monthly.</summary>
    public double AnnualDiscountRate { get; set; } = 0.10;

    /// <summary>Shares of customers in each tier by CLV at the fit: top 1% platinum, next 9% gold, next 40% silver.</summary>
    public TierShares TierShares { get; set; } = new();

    /// <summary>Fewest customers a fit accepts (for Gamma-Gamma, customers with a repeat purchase).</summary>
    public int MinimumCustomers { get; set; } = 10;

    /// <summary>
    /// Most customers per second the re-scoring sweep reaches, so that it never crowds out
    /// ingestion; 0 for no limit. A sweep that falls behind (a slow store, a pause) makes up at
    /// most a second's worth of customers at full speed.
    /// </summary>
    public int SweepRate { get; set; } = 20_000;

    /// <summary>Customers the sweep reads and rescores at a time (concurrently).</summary>
    public int SweepPageSize { get; set; } = 500;

    /// <summary>
    /// How long the sweep waits for one customer to rescore itself. A customer that fails or
    /// does not answer in time (its silo hung, its log unreadable) is passed over and tried again
    /// once the walk ends, so that it holds up neither its page nor the rest of the sweep.
    /// </summary>
    public TimeSpan SweepCallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Most customers one sweep passes over. Beyond that the cause is taken to be the cluster's,
    /// not the customers' own: the sweep stops at the page and resumes from its cursor at the
    /// next check.
    /// </summary>
    public int SweepMaxNotReached { get; set; } = 1_000;

    public CustomerLifetimeValueOptions ToLifetimeOptions() => new() { HorizonMonths = HorizonMonths, AnnualDiscountRate = AnnualDiscountRate };

    /// <summary>Null when the settings are usable, otherwise what is wrong.</summary>
    public string? Problem() =>
        FitInterval <= TimeSpan.Zero ? "FitInterval must be positive"
        : RefreshInterval <= TimeSpan.Zero ? "RefreshInterval must be positive"
        : ToLifetimeOptions().Problem() is { } lifetime ? lifetime
        : TierShares.Problem() is { } shares ? shares
        : MinimumCustomers < 1 ? "MinimumCustomers must be at least 1"
        : SweepRate < 0 ? "SweepRate must not be negative"
        : SweepPageSize is < 1 or > 10_000 ? "SweepPageSize must be between 1 and 10000"
        : SweepCallTimeout <= TimeSpan.Zero || SweepCallTimeout > TimeSpan.FromHours(1) ? "SweepCallTimeout must be positive and at most an hour"
        : SweepMaxNotReached is < 0 or > 100_000 ? "SweepMaxNotReached must be between 0 and 100000"
        : null;
}

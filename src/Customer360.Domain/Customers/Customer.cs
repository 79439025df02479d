using Customer360.Domain.Segments;
using Customer360.Domain.Values;

namespace Customer360.Domain.Customers;

/// <summary>Whether a touchpoint changed the customer.</summary>
public enum ApplyOutcome
{
    Accepted,
    Duplicate,
}

/// <summary>What a customer knows about an event id from its recent arrivals.</summary>
public enum EventCheck
{
    /// <summary>Not among the recently applied ids; only the log can tell whether it is new.</summary>
    NotRecent,

    /// <summary>Applied recently with the same content.</summary>
    Duplicate,

    /// <summary>Applied recently with different content under the same id.</summary>
    Conflict,
}

/// <summary>An applied event, as a customer remembers it: the hash of its id (<see cref="EventIdHash"/>) and the fingerprint of its content.</summary>
public readonly record struct AppliedEvent(long IdHash, long Fingerprint)
{
    public AppliedEvent(string eventId, long fingerprint)
        : this(EventIdHash.Of(eventId), fingerprint)
    {
    }
}

/// <summary>
/// One customer: profile, live aggregates, recent touchpoints and value. This is where a
/// touchpoint is applied. The class holds no I/O; the customer grain persists it.
/// </summary>
public sealed class Customer
{
    private readonly RecentTouchpoints _recent;
    private readonly AppliedEventWindow _applied = new();
    private ValueAssessment? _value;

    // The segment contributions as of the last assessment: every change of the aggregates is
    // followed by one, so they are worked out once per change, not for each reader.
    private IReadOnlyList<SegmentContribution>? _contributions;

    /// <summary>A customer seen for the first time.</summary>
    public Customer(string customerId, DateTimeOffset now)
        : this(customerId, 0, now, now, CustomerProfile.Empty, new CustomerAggregates(), [], [], null)
    {
    }

    /// <summary>Restores a customer from stored state.</summary>
    public Customer(
        string customerId,
        long version,
        DateTimeOffset createdAt,
        DateTimeOffset updatedAt,
        CustomerProfile profile,
        CustomerAggregates aggregates,
        IEnumerable<Touchpoint> recent,
        IEnumerable<AppliedEvent> applied,
        ValueAssessment? value)
    {
        CustomerId = customerId;
        Version = version;
        CreatedAt = createdAt;
        UpdatedAt = updatedAt;
        Profile = profile;
        Aggregates = aggregates;
        // Every stored touchpoint is kept: the window it was stored under is not known here, and
        // the next touchpoint applied trims to the rules' window.
        _recent = new RecentTouchpoints(customerId, recent, int.MaxValue);
        // Each id once, in one pass: a linear scan of the window per event would make restoring a
        // large window quadratic.
        var seen = new HashSet<long>();
        foreach (var e in applied)
        {
            if (seen.Add(e.IdHash))
            {
                _applied.Add(e.IdHash, e.Fingerprint, int.MaxValue);
            }
        }

        _applied.TrimExcess();
        Value = value;
    }

    public string CustomerId { get; }

    /// <summary>Increases by one with every accepted change; 0 for a customer never written.</summary>
    public long Version { get; private set; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public CustomerProfile Profile { get; private set; }

    public CustomerAggregates Aggregates { get; }

    /// <summary>The most recent touchpoints, newest first by event time; each read decodes one.</summary>
    public RecentTouchpoints RecentTouchpoints => _recent;

    /// <summary>How many applied events are remembered for duplicate detection.</summary>
    public int AppliedEventCount => _applied.Count;

    /// <summary>The remembered events (hashes of their ids, with their content fingerprints), oldest arrival first.</summary>
    public IEnumerable<AppliedEvent> AppliedEvents => _applied.Events;

    /// <summary>The value as last assessed; null until the first change.</summary>
    public ValueAssessment? Value
    {
        get => _value;
        private set
        {
            _value = value;
            _contributions = null;
        }
    }

    public bool Exists => Version > 0;

    /// <summary>
    /// Whether an event with this id is among the recently applied ones. Remembered by the hash of
    /// the id: false is certain; true is certain but for a hash collision, which whoever refuses
    /// an event on it must rule out (the customer grain asks the log).
    /// </summary>
    public bool HasApplied(string eventId) => _applied.Contains(EventIdHash.Of(eventId));

    /// <summary>
    /// Whether <paramref name="touchpoint"/> was among the recently applied events, and if so
    /// whether with the same content. A fast path only: an id applied longer ago is not recent,
    /// and, as for <see cref="HasApplied"/>, an answer other than NotRecent rests on the hash of the id.
    /// </summary>
    public EventCheck Check(Touchpoint touchpoint) => Check(touchpoint.EventId, TouchpointFingerprint.Of(touchpoint));

    /// <summary><see cref="Check(Touchpoint)"/> with the fingerprint already computed.</summary>
    public EventCheck Check(string eventId, long fingerprint) =>
        !_applied.TryGetFingerprint(EventIdHash.Of(eventId), out var known) ? EventCheck.NotRecent
        : known == fingerprint ? EventCheck.Duplicate
        : EventCheck.Conflict;

    /// <summary>Applies a validated touchpoint, unless its event id was applied already.</summary>
    public ApplyOutcome Apply(Touchpoint touchpoint, CustomerRules rules, DateTimeOffset now) =>
        Apply(touchpoint, TouchpointFingerprint.Of(touchpoint), rules, now);

    /// <summary><see cref="Apply(Touchpoint, CustomerRules, DateTimeOffset)"/> with the fingerprint already computed.</summary>
    public ApplyOutcome Apply(Touchpoint touchpoint, long fingerprint, CustomerRules rules, DateTimeOffset now)
    {
        if (HasApplied(touchpoint.EventId))
        {
            return ApplyOutcome.Duplicate;
        }

        ApplyNew(touchpoint, fingerprint, rules, now);
        return ApplyOutcome.Accepted;
    }

    /// <summary>
    /// Applies a touchpoint known to be new: one the customer log has just taken, or is replaying
    /// (the log holds each event id of a customer once). Unlike <see cref="Apply(Touchpoint, long, CustomerRules, DateTimeOffset)"/>
    /// it does not consult the remembered events, so a hash collision there can never drop it.
    /// </summary>
    public void ApplyNew(Touchpoint touchpoint, long fingerprint, CustomerRules rules, DateTimeOffset now)
    {
        Aggregates.Apply(touchpoint);
        _recent.Insert(touchpoint, rules.RecentWindow);
        _applied.Add(EventIdHash.Of(touchpoint.EventId), fingerprint, rules.IdempotencyWindow);
        Touch(rules, now);
    }

    /// <summary>Applies a validated profile patch.</summary>
    public void Apply(ProfilePatch patch, CustomerRules rules, DateTimeOffset now)
    {
        Profile = Profile.With(patch);
        Touch(rules, now);
    }

    /// <summary>
    /// Re-assesses the value as of <paramref name="now"/> with the rules' value model (e.g. after a
    /// new fit, or as time passes); the version does not change.
    /// </summary>
    public void Reassess(CustomerRules rules, DateTimeOffset now) =>
        Value = ValueScorer.Assess(Aggregates, rules.ValueModel, rules.Tiers, now);

    /// <summary>The segment this customer belongs to in each dimension, with what it adds there.</summary>
    public IReadOnlyList<SegmentContribution> SegmentContributions() =>
        _contributions ??= CustomerValueSummary.Contributions(Aggregates.NetSpend, Aggregates.PreferredChannel, Value);

    /// <summary>What scoring and segments need of this customer as it is now, for storing with its snapshot.</summary>
    public CustomerValueSummary ValueSummary() => CustomerValueSummary.Of(Aggregates, Version);

    private void Touch(CustomerRules rules, DateTimeOffset now)
    {
        Version++;
        UpdatedAt = now;
        Reassess(rules, now);
    }
}

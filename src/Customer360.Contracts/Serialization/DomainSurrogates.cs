using Customer360.Domain.Customers;
using Customer360.Domain.Values;
using Customer360.Domain.Values.Models;

namespace Customer360.Contracts.Serialization;

// The domain library stays free of Orleans, so its types cross grain boundaries and reach
// storage through these surrogates: each is the type's stored shape with stable field ids.
// Adding a field means adding an [Id] at the end; never renumber.

[GenerateSerializer, Alias("c360.Money")]
public struct MoneySurrogate
{
    [Id(0)] public decimal Amount;
    [Id(1)] public string Currency;
}

[RegisterConverter]
public sealed class MoneyConverter : IConverter<Money, MoneySurrogate>
{
    public Money ConvertFromSurrogate(in MoneySurrogate s) => new(s.Amount, s.Currency);

    public MoneySurrogate ConvertToSurrogate(in Money v) => new() { Amount = v.Amount, Currency = v.Currency };
}

[GenerateSerializer, Alias("c360.LineItem")]
public struct LineItemSurrogate
{
    [Id(0)] public string Sku;
    [Id(1)] public string Category;
    [Id(2)] public int Quantity;
    [Id(3)] public Money? UnitPrice;
}

[RegisterConverter]
public sealed class LineItemConverter : IConverter<LineItem, LineItemSurrogate>
{
    public LineItem ConvertFromSurrogate(in LineItemSurrogate s) => new(s.Sku, s.Category, s.Quantity, s.UnitPrice);

    public LineItemSurrogate ConvertToSurrogate(in LineItem v) =>
        new() { Sku = v.Sku, Category = v.Category, Quantity = v.Quantity, UnitPrice = v.UnitPrice };
}

[GenerateSerializer, Alias("c360.Touchpoint")]
public struct TouchpointSurrogate
{
    [Id(0)] public string EventId;
    [Id(1)] public string CustomerId;
    [Id(2)] public DateTimeOffset OccurredAt;
    [Id(3)] public int Channel;
    [Id(4)] public int Kind;
    [Id(5)] public Money? Amount;
    [Id(6)] public decimal? ReportingAmount;
    [Id(7)] public LineItem[]? LineItems;
    [Id(8)] public Dictionary<string, string>? Attributes;
    [Id(9)] public string SourceSystem;
    [Id(10)] public string? RecordedBy;
}

[RegisterConverter]
public sealed class TouchpointConverter : IConverter<Touchpoint, TouchpointSurrogate>
{
    public Touchpoint ConvertFromSurrogate(in TouchpointSurrogate s) => new()
    {
        EventId = s.EventId,
        CustomerId = s.CustomerId,
        OccurredAt = s.OccurredAt,
        Channel = (Channel)s.Channel,
        Kind = (TouchpointKind)s.Kind,
        Amount = s.Amount,
        ReportingAmount = s.ReportingAmount,
        LineItems = s.LineItems ?? [],
        Attributes = s.Attributes is { Count: > 0 } a ? a : new Dictionary<string, string>(StringComparer.Ordinal),
        SourceSystem = s.SourceSystem ?? "",
        RecordedBy = s.RecordedBy,
    };

    public TouchpointSurrogate ConvertToSurrogate(in Touchpoint v) => new()
    {
        EventId = v.EventId,
        CustomerId = v.CustomerId,
        OccurredAt = v.OccurredAt,
        Channel = (int)v.Channel,
        Kind = (int)v.Kind,
        Amount = v.Amount,
        ReportingAmount = v.ReportingAmount,
        LineItems = v.LineItems.Count == 0 ? null : [.. v.LineItems],
        Attributes = v.Attributes.Count == 0 ? null : new Dictionary<string, string>(v.Attributes, StringComparer.Ordinal),
        SourceSystem = v.SourceSystem,
        RecordedBy = v.RecordedBy,
    };
}

[GenerateSerializer, Alias("c360.PostalAddress")]
public struct PostalAddressSurrogate
{
    [Id(0)] public string[] Lines;
    [Id(1)] public string Locality;
    [Id(2)] public string Region;
    [Id(3)] public string PostalCode;
    [Id(4)] public string CountryCode;
}

[RegisterConverter]
public sealed class PostalAddressConverter : IConverter<PostalAddress, PostalAddressSurrogate>
{
    public PostalAddress ConvertFromSurrogate(in PostalAddressSurrogate s) =>
        new(s.Lines ?? [], s.Locality ?? "", s.Region ?? "", s.PostalCode ?? "", s.CountryCode ?? "");

    public PostalAddressSurrogate ConvertToSurrogate(in PostalAddress v) => new()
    {
        Lines = [.. v.Lines],
        Locality = v.Locality,
        Region = v.Region,
        PostalCode = v.PostalCode,
        CountryCode = v.CountryCode,
    };
}

[GenerateSerializer, Alias("c360.Consent")]
public struct ConsentSurrogate
{
    [Id(0)] public int Channel;
    [Id(1)] public bool Granted;
    [Id(2)] public DateTimeOffset UpdatedAt;
}

[RegisterConverter]
public sealed class ConsentConverter : IConverter<Consent, ConsentSurrogate>
{
    public Consent ConvertFromSurrogate(in ConsentSurrogate s) => new((MarketingChannel)s.Channel, s.Granted, s.UpdatedAt);

    public ConsentSurrogate ConvertToSurrogate(in Consent v) =>
        new() { Channel = (int)v.Channel, Granted = v.Granted, UpdatedAt = v.UpdatedAt };
}

[GenerateSerializer, Alias("c360.CustomerProfile")]
public struct CustomerProfileSurrogate
{
    [Id(0)] public string GivenName;
    [Id(1)] public string FamilyName;
    [Id(2)] public string[] Emails;
    [Id(3)] public string[] PhoneNumbers;
    [Id(4)] public string[] LoyaltyCardIds;
    [Id(5)] public PostalAddress? Address;
    [Id(6)] public Dictionary<string, string>? Attributes;
    [Id(7)] public Consent[] Consents;
}

[RegisterConverter]
public sealed class CustomerProfileConverter : IConverter<CustomerProfile, CustomerProfileSurrogate>
{
    public CustomerProfile ConvertFromSurrogate(in CustomerProfileSurrogate s) => new()
    {
        GivenName = s.GivenName ?? "",
        FamilyName = s.FamilyName ?? "",
        Emails = s.Emails ?? [],
        PhoneNumbers = s.PhoneNumbers ?? [],
        LoyaltyCardIds = s.LoyaltyCardIds ?? [],
        Address = s.Address,
        Attributes = s.Attributes ?? new Dictionary<string, string>(StringComparer.Ordinal),
        Consents = s.Consents ?? [],
    };

    public CustomerProfileSurrogate ConvertToSurrogate(in CustomerProfile v) => new()
    {
        GivenName = v.GivenName,
        FamilyName = v.FamilyName,
        Emails = [.. v.Emails],
        PhoneNumbers = [.. v.PhoneNumbers],
        LoyaltyCardIds = [.. v.LoyaltyCardIds],
        Address = v.Address,
        Attributes = v.Attributes.Count == 0 ? null : new Dictionary<string, string>(v.Attributes, StringComparer.Ordinal),
        Consents = [.. v.Consents],
    };
}

[GenerateSerializer, Alias("c360.ProfilePatch")]
public struct ProfilePatchSurrogate
{
    [Id(0)] public string? GivenName;
    [Id(1)] public string? FamilyName;
    [Id(2)] public string[]? Emails;
    [Id(3)] public string[]? PhoneNumbers;
    [Id(4)] public string[]? LoyaltyCardIds;
    [Id(5)] public PostalAddress? Address;
    [Id(6)] public Dictionary<string, string>? SetAttributes;
    [Id(7)] public string[]? RemoveAttributes;
    [Id(8)] public Consent[]? Consents;
    [Id(9)] public string? RecordedBy;
}

[RegisterConverter]
public sealed class ProfilePatchConverter : IConverter<ProfilePatch, ProfilePatchSurrogate>
{
    public ProfilePatch ConvertFromSurrogate(in ProfilePatchSurrogate s) => new()
    {
        GivenName = s.GivenName,
        FamilyName = s.FamilyName,
        Emails = s.Emails,
        PhoneNumbers = s.PhoneNumbers,
        LoyaltyCardIds = s.LoyaltyCardIds,
        Address = s.Address,
        SetAttributes = s.SetAttributes ?? new Dictionary<string, string>(StringComparer.Ordinal),
        RemoveAttributes = s.RemoveAttributes ?? [],
        Consents = s.Consents ?? [],
        RecordedBy = s.RecordedBy,
    };

    public ProfilePatchSurrogate ConvertToSurrogate(in ProfilePatch v) => new()
    {
        GivenName = v.GivenName,
        FamilyName = v.FamilyName,
        Emails = v.Emails?.ToArray(),
        PhoneNumbers = v.PhoneNumbers?.ToArray(),
        LoyaltyCardIds = v.LoyaltyCardIds?.ToArray(),
        Address = v.Address,
        SetAttributes = new Dictionary<string, string>(v.SetAttributes, StringComparer.Ordinal),
        RemoveAttributes = [.. v.RemoveAttributes],
        Consents = [.. v.Consents],
        RecordedBy = v.RecordedBy,
    };
}

[GenerateSerializer, Alias("c360.ValueAssessment")]
public struct ValueAssessmentSurrogate
{
    [Id(0)] public decimal Score;
    [Id(1)] public int Tier;
    [Id(2)] public string Model;
    [Id(3)] public DateTimeOffset ComputedAt;
    [Id(4)] public long ModelVersion;
    [Id(5)] public CustomerValueEstimate? Estimate;
    [Id(6)] public RfmScore? Rfm;
}

[RegisterConverter]
public sealed class ValueAssessmentConverter : IConverter<ValueAssessment, ValueAssessmentSurrogate>
{
    public ValueAssessment ConvertFromSurrogate(in ValueAssessmentSurrogate s) =>
        new(s.Score, (ValueTier)s.Tier, s.Model, s.ComputedAt) { ModelVersion = s.ModelVersion, Estimate = s.Estimate, Rfm = s.Rfm };

    public ValueAssessmentSurrogate ConvertToSurrogate(in ValueAssessment v) =>
        new() { Score = v.Score, Tier = (int)v.Tier, Model = v.Model, ComputedAt = v.ComputedAt, ModelVersion = v.ModelVersion, Estimate = v.Estimate, Rfm = v.Rfm };
}

[GenerateSerializer, Alias("c360.CustomerValueEstimate")]
public struct CustomerValueEstimateSurrogate
{
    [Id(0)] public double ProbabilityAlive;
    [Id(1)] public double ExpectedPurchases90Days;
    [Id(2)] public double ExpectedPurchases12Months;
    [Id(3)] public double ExpectedAverageSpend;
    [Id(4)] public double LifetimeValue;
}

[RegisterConverter]
public sealed class CustomerValueEstimateConverter : IConverter<CustomerValueEstimate, CustomerValueEstimateSurrogate>
{
    public CustomerValueEstimate ConvertFromSurrogate(in CustomerValueEstimateSurrogate s) =>
        new(s.ProbabilityAlive, s.ExpectedPurchases90Days, s.ExpectedPurchases12Months, s.ExpectedAverageSpend, s.LifetimeValue);

    public CustomerValueEstimateSurrogate ConvertToSurrogate(in CustomerValueEstimate v) => new()
    {
        ProbabilityAlive = v.ProbabilityAlive,
        ExpectedPurchases90Days = v.ExpectedPurchases90Days,
        ExpectedPurchases12Months = v.ExpectedPurchases12Months,
        ExpectedAverageSpend = v.ExpectedAverageSpend,
        LifetimeValue = v.LifetimeValue,
    };
}

[GenerateSerializer, Alias("c360.RfmScore")]
public struct RfmScoreSurrogate
{
    [Id(0)] public int Recency;
    [Id(1)] public int Frequency;
    [Id(2)] public int Monetary;
}

[RegisterConverter]
public sealed class RfmScoreConverter : IConverter<RfmScore, RfmScoreSurrogate>
{
    public RfmScore ConvertFromSurrogate(in RfmScoreSurrogate s) => new(s.Recency, s.Frequency, s.Monetary);

    public RfmScoreSurrogate ConvertToSurrogate(in RfmScore v) => new() { Recency = v.Recency, Frequency = v.Frequency, Monetary = v.Monetary };
}

/// <summary>A fitted value model as it travels between grains and is stored: parameters and cut points as plain numbers.</summary>
[GenerateSerializer, Alias("c360.ValueModel")]
public struct ValueModelSurrogate
{
    [Id(0)] public long Version;
    [Id(1)] public DateTimeOffset FittedAt;
    [Id(2)] public DateTimeOffset CalibrationEnd;
    [Id(3)] public double[] Purchasing;
    [Id(4)] public double[] Spending;
    [Id(5)] public decimal[] Tiers;
    [Id(6)] public double[] RecencyCuts;
    [Id(7)] public double[] FrequencyCuts;
    [Id(8)] public double[] MonetaryCuts;
    [Id(9)] public int HorizonMonths;
    [Id(10)] public double AnnualDiscountRate;

    /// <summary>Which Gamma-Gamma model <see cref="Spending"/> holds (<see cref="GammaGammaLimit"/>); 0, the ordinary model, in models stored before limits existed.</summary>
    [Id(11)] public int SpendingLimit;
}

[RegisterConverter]
public sealed class ValueModelConverter : IConverter<ValueModel, ValueModelSurrogate>
{
    public ValueModel ConvertFromSurrogate(in ValueModelSurrogate s) => new()
    {
        Version = s.Version,
        FittedAt = s.FittedAt,
        CalibrationEnd = s.CalibrationEnd,
        Purchasing = new BgNbdParameters(s.Purchasing[0], s.Purchasing[1], s.Purchasing[2], s.Purchasing[3]),
        Spending = GammaGammaParameters.FromValues((GammaGammaLimit)s.SpendingLimit, s.Spending),
        Tiers = new TierThresholds { Platinum = s.Tiers[0], Gold = s.Tiers[1], Silver = s.Tiers[2] },
        Rfm = new RfmQuintiles(s.RecencyCuts, s.FrequencyCuts, s.MonetaryCuts),
        Lifetime = new CustomerLifetimeValueOptions { HorizonMonths = s.HorizonMonths, AnnualDiscountRate = s.AnnualDiscountRate },
    };

    public ValueModelSurrogate ConvertToSurrogate(in ValueModel v) => new()
    {
        Version = v.Version,
        FittedAt = v.FittedAt,
        CalibrationEnd = v.CalibrationEnd,
        Purchasing = [.. v.Purchasing.Values],
        Spending = [.. v.Spending.Values],
        Tiers = [v.Tiers.Platinum, v.Tiers.Gold, v.Tiers.Silver],
        RecencyCuts = [.. v.Rfm.RecencyCuts],
        FrequencyCuts = [.. v.Rfm.FrequencyCuts],
        MonetaryCuts = [.. v.Rfm.MonetaryCuts],
        HorizonMonths = v.Lifetime.HorizonMonths,
        AnnualDiscountRate = v.Lifetime.AnnualDiscountRate,
        SpendingLimit = (int)v.Spending.Limit,
    };
}

[GenerateSerializer, Alias("c360.DailyActivity")]
public struct DailyActivitySurrogate
{
    [Id(0)] public int Day;
    [Id(1)] public decimal Purchases;
    [Id(2)] public decimal Returns;
    [Id(3)] public int PurchaseCount;
}

[RegisterConverter]
public sealed class DailyActivityConverter : IConverter<DailyActivity, DailyActivitySurrogate>
{
    public DailyActivity ConvertFromSurrogate(in DailyActivitySurrogate s) => new(s.Day, s.Purchases, s.Returns, s.PurchaseCount);

    public DailyActivitySurrogate ConvertToSurrogate(in DailyActivity v) =>
        new() { Day = v.Day, Purchases = v.Purchases, Returns = v.Returns, PurchaseCount = v.PurchaseCount };
}

[GenerateSerializer, Alias("c360.CustomerAggregates")]
public struct CustomerAggregatesSurrogate
{
    [Id(0)] public long[] ByChannel;
    [Id(1)] public long[] ByKind;
    [Id(2)] public long[] LastTicksByChannel;
    [Id(3)] public decimal GrossPurchases;
    [Id(4)] public decimal TotalReturns;
    [Id(5)] public long OrderCount;
    [Id(6)] public DateTimeOffset? FirstPurchaseAt;
    [Id(7)] public DateTimeOffset? LastPurchaseAt;
    [Id(8)] public DateTimeOffset? LastContactAt;
    [Id(9)] public DailyActivity[] Days;
}

[RegisterConverter]
public sealed class CustomerAggregatesConverter : IConverter<CustomerAggregates, CustomerAggregatesSurrogate>
{
    public CustomerAggregates ConvertFromSurrogate(in CustomerAggregatesSurrogate s) => new(
        s.ByChannel ?? [], s.ByKind ?? [], s.LastTicksByChannel ?? [], s.GrossPurchases, s.TotalReturns,
        s.OrderCount, s.FirstPurchaseAt, s.LastPurchaseAt, s.LastContactAt, s.Days ?? []);

    public CustomerAggregatesSurrogate ConvertToSurrogate(in CustomerAggregates v) => new()
    {
        ByChannel = v.ByChannel.ToArray(),
        ByKind = v.ByKind.ToArray(),
        LastTicksByChannel = v.LastTicksByChannel.ToArray(),
        GrossPurchases = v.GrossPurchases,
        TotalReturns = v.TotalReturns,
        OrderCount = v.OrderCount,
        FirstPurchaseAt = v.FirstPurchaseAt,
        LastPurchaseAt = v.LastPurchaseAt,
        LastContactAt = v.LastContactAt,
        Days = [.. v.Days],
    };
}

[GenerateSerializer, Alias("c360.Customer")]
public struct CustomerSurrogate
{
    [Id(0)] public string CustomerId;
    [Id(1)] public long Version;
    [Id(2)] public DateTimeOffset CreatedAt;
    [Id(3)] public DateTimeOffset UpdatedAt;
    [Id(4)] public CustomerProfile Profile;
    [Id(5)] public CustomerAggregates Aggregates;
    [Id(6)] public Touchpoint[] Recent;
    [Id(7)] public string[] AppliedEventIds;
    [Id(8)] public ValueAssessment? Value;
    [Id(9)] public long[]? AppliedFingerprints;

    // Hashes of the remembered event ids (EventIdHash), parallel to AppliedFingerprints. Written
    // since customers remember hashes instead of ids; AppliedEventIds is then empty. A snapshot
    // from before has the ids instead, and they are hashed as it is read.
    [Id(10)] public long[]? AppliedIdHashes;
}

[RegisterConverter]
public sealed class CustomerConverter : IConverter<Customer, CustomerSurrogate>
{
    public Customer ConvertFromSurrogate(in CustomerSurrogate s) => new(
        s.CustomerId, s.Version, s.CreatedAt, s.UpdatedAt, s.Profile ?? CustomerProfile.Empty,
        s.Aggregates ?? new CustomerAggregates(), s.Recent ?? [], Applied(s), s.Value);

    // Id hashes (or, in older snapshots, ids) and fingerprints travel as parallel arrays.
    private static IEnumerable<AppliedEvent> Applied(CustomerSurrogate s)
    {
        var fingerprints = s.AppliedFingerprints ?? [];
        if (s.AppliedIdHashes is { } hashes)
        {
            for (var i = 0; i < hashes.Length; i++)
            {
                yield return new AppliedEvent(hashes[i], i < fingerprints.Length ? fingerprints[i] : 0);
            }

            yield break;
        }

        var ids = s.AppliedEventIds ?? [];
        for (var i = 0; i < ids.Length; i++)
        {
            yield return new AppliedEvent(ids[i], i < fingerprints.Length ? fingerprints[i] : 0);
        }
    }

    public CustomerSurrogate ConvertToSurrogate(in Customer v) => new()
    {
        CustomerId = v.CustomerId,
        Version = v.Version,
        CreatedAt = v.CreatedAt,
        UpdatedAt = v.UpdatedAt,
        Profile = v.Profile,
        Aggregates = v.Aggregates,
        Recent = [.. v.RecentTouchpoints],
        AppliedEventIds = [],
        AppliedIdHashes = [.. v.AppliedEvents.Select(e => e.IdHash)],
        AppliedFingerprints = [.. v.AppliedEvents.Select(e => e.Fingerprint)],
        Value = v.Value,
    };
}

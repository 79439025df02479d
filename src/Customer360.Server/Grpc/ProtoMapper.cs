using System.Globalization;
using Customer360.Contracts.Customers;
using Customer360.Contracts.Segments;
using Customer360.Domain.Validation;
using Google.Protobuf.WellKnownTypes;
using Wire = Customer360.Api.V1;
using D = Customer360.Domain.Customers;
using V = Customer360.Domain.Values;

namespace Customer360.Server.Grpc;

/// <summary>
/// Maps between the public protobuf messages and the domain. Inbound mapping reports anything it
/// cannot parse as an INVALID_ARGUMENT naming the field; the domain validators check the rest.
/// </summary>
public static class ProtoMapper
{
    /// <summary>The domain touchpoint; <paramref name="recordedBy"/> is the caller's key, never what the message says.</summary>
    public static D.Touchpoint ToDomain(Wire.Touchpoint t, string path, string? recordedBy = null)
    {
        if (t is null)
        {
            throw ApiValidation.Invalid(path, "is required");
        }

        return new D.Touchpoint
        {
            EventId = t.EventId,
            CustomerId = t.CustomerId,
            OccurredAt = t.OccurredAt is null ? throw ApiValidation.Invalid($"{path}.occurred_at", "is required") : ToTime(t.OccurredAt, new FieldPath(path, "occurred_at")),
            Channel = (D.Channel)(int)t.Channel,
            Kind = (D.TouchpointKind)(int)t.Kind,
            Amount = t.Amount is null ? null : ToMoney(t.Amount, new FieldPath(path, "amount")),
            LineItems = ToDomain(t.LineItems, path),
            Attributes = t.Attributes.Count == 0 ? D.Touchpoint.EmptyAttributes : new Dictionary<string, string>(t.Attributes, StringComparer.Ordinal),
            SourceSystem = t.SourceSystem,
            RecordedBy = recordedBy,
        };
    }

    private static D.LineItem[] ToDomain(IReadOnlyList<Wire.LineItem> items, string path)
    {
        if (items.Count == 0)
        {
            return [];
        }

        var mapped = new D.LineItem[items.Count];
        for (var i = 0; i < mapped.Length; i++)
        {
            var item = items[i];
            mapped[i] = new D.LineItem(
                item.Sku, item.Category, item.Quantity,
                item.UnitPrice is null ? null : ToMoney(item.UnitPrice, new FieldPath(path, "line_items", i, "unit_price")));
        }

        return mapped;
    }

    /// <summary>
    /// Where a field sits in a request, for the INVALID_ARGUMENT that names it. Kept as its parts
    /// and joined only when an error is reported: every touchpoint's time, amount and prices are
    /// parsed, and an error is rare.
    /// </summary>
    private readonly record struct FieldPath(string Parent, string? Field = null, int Index = -1, string? Leaf = null)
    {
        public override string ToString()
        {
            var path = Field is null ? Parent : $"{Parent}.{Field}";
            if (Index >= 0)
            {
                path = $"{path}[{Index}]";
            }

            return Leaf is null ? path : $"{path}.{Leaf}";
        }
    }

    public static D.ProfilePatch ToDomain(Wire.UpsertProfileRequest r, string? recordedBy = null) => new()
    {
        RecordedBy = recordedBy,
        GivenName = r.HasGivenName ? r.GivenName : null,
        FamilyName = r.HasFamilyName ? r.FamilyName : null,
        Emails = r.Emails?.Values.ToArray(),
        PhoneNumbers = r.PhoneNumbers?.Values.ToArray(),
        LoyaltyCardIds = r.LoyaltyCardIds?.Values.ToArray(),
        Address = r.Address is null ? null : new D.PostalAddress(
            r.Address.Lines.ToArray(), r.Address.Locality, r.Address.Region, r.Address.PostalCode, r.Address.CountryCode),
        SetAttributes = new Dictionary<string, string>(r.SetAttributes, StringComparer.Ordinal),
        RemoveAttributes = r.RemoveAttributes.ToArray(),
        Consents = r.Consents.Select((c, i) => new D.Consent(
            (D.MarketingChannel)(int)c.Channel, c.Granted,
            c.UpdatedAt is null ? throw ApiValidation.Invalid($"consents[{i}].updated_at", "is required") : ToTime(c.UpdatedAt, $"consents[{i}].updated_at"))).ToArray(),
    };

    public static D.Money ToMoney(Wire.Money m, string path) => ToMoney(m, new FieldPath(path));

    private static D.Money ToMoney(Wire.Money m, FieldPath path) =>
        AmountText.TryParse(m.Amount, out var amount, out var problem)
            ? new D.Money(amount, m.CurrencyCode)
            : throw ApiValidation.Invalid($"{path}.amount", problem!);

    public static DateTimeOffset ToTime(Timestamp timestamp, string path) => ToTime(timestamp, new FieldPath(path));

    private static DateTimeOffset ToTime(Timestamp timestamp, FieldPath path)
    {
        try
        {
            return timestamp.ToDateTimeOffset();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Protobuf refuses seconds or nanos outside a timestamp's range with InvalidOperationException.
            throw ApiValidation.Invalid(path.ToString(), "is not a valid timestamp");
        }
    }

    public static TouchpointQuery ToQuery(Wire.ListTouchpointsRequest r)
    {
        if (r.PageSize is < 0 or > 500)
        {
            throw ApiValidation.Invalid("page_size", "must be between 0 and 500");
        }

        CheckFilter(r.Channels, "channels", c => D.EnumRanges.IsDefinedAndSpecified((D.Channel)(int)c), "must be a known channel");
        CheckFilter(r.Kinds, "kinds", k => D.EnumRanges.IsDefinedAndSpecified((D.TouchpointKind)(int)k), "must be a known kind");

        var from = r.OccurredFrom is null ? (DateTimeOffset?)null : ToTime(r.OccurredFrom, "occurred_from");
        var to = r.OccurredTo is null ? (DateTimeOffset?)null : ToTime(r.OccurredTo, "occurred_to");
        if (from is not null && to is not null && from >= to)
        {
            throw ApiValidation.Invalid("occurred_to", "must be after occurred_from");
        }

        return new TouchpointQuery(
            r.PageSize == 0 ? 50 : r.PageSize,
            PageTokens.Decode(r),
            r.Channels.Select(c => (D.Channel)(int)c).ToArray(),
            r.Kinds.Select(k => (D.TouchpointKind)(int)k).ToArray(),
            from,
            to);
    }

    /// <summary>
    /// Each value of a filter known, and given once. A filter names a handful of values; without
    /// the second rule a list of hundreds of thousands of repeats (which a message within the
    /// size limit can carry) would be copied and matched against every touchpoint of every page.
    /// </summary>
    private static void CheckFilter<T>(IReadOnlyList<T> values, string field, Func<T, bool> known, string unknownMessage)
        where T : struct, System.Enum
    {
        var firstAt = new Dictionary<T, int>();
        for (var i = 0; i < values.Count; i++)
        {
            if (!known(values[i]))
            {
                throw ApiValidation.Invalid($"{field}[{i}]", unknownMessage);
            }

            if (!firstAt.TryAdd(values[i], i))
            {
                throw ApiValidation.Invalid($"{field}[{i}]", $"repeats {field}[{firstAt[values[i]]}]; give each value once");
            }
        }
    }

    public static Wire.CustomerView ToProto(CustomerView v)
    {
        var a = v.Aggregates;
        var currency = a.ReportingCurrency;
        var aggregates = new Wire.Aggregates
        {
            TouchpointCount = a.TouchpointCount,
            NetSpend = Money(a.NetSpend, currency),
            GrossPurchases = Money(a.GrossPurchases, currency),
            TotalReturns = Money(a.TotalReturns, currency),
            OrderCount = a.OrderCount,
            AverageOrderValue = Money(a.AverageOrderValue, currency),
            FirstPurchaseAt = Time(a.FirstPurchaseAt),
            LastPurchaseAt = Time(a.LastPurchaseAt),
            DistinctPurchaseDays = a.DistinctPurchaseDays,
            LastContactAt = Time(a.LastContactAt),
            PreferredChannel = (Wire.Channel)(int)a.PreferredChannel,
        };
        for (var i = 1; i < a.ByChannel.Length; i++)
        {
            if (a.ByChannel[i] > 0)
            {
                aggregates.ByChannel.Add(new Wire.ChannelCount { Channel = (Wire.Channel)i, Count = a.ByChannel[i] });
            }
        }

        for (var i = 1; i < a.ByKind.Length; i++)
        {
            if (a.ByKind[i] > 0)
            {
                aggregates.ByKind.Add(new Wire.KindCount { Kind = (Wire.TouchpointKind)i, Count = a.ByKind[i] });
            }
        }

        var view = new Wire.CustomerView
        {
            CustomerId = v.CustomerId,
            Version = v.Version,
            Profile = ToProto(v.Profile),
            Aggregates = aggregates,
            Value = v.Value is { } value ? ToProto(value, v.ValueInputs, currency) : null,
            CreatedAt = Timestamp.FromDateTimeOffset(v.CreatedAt),
            UpdatedAt = Timestamp.FromDateTimeOffset(v.UpdatedAt),
        };
        view.Segments.Add(v.Segments);
        view.RecentTouchpoints.Add(v.RecentTouchpoints.Select(ToProto));
        return view;
    }

    public static Wire.Touchpoint ToProto(D.Touchpoint t)
    {
        var proto = new Wire.Touchpoint
        {
            EventId = t.EventId,
            CustomerId = t.CustomerId,
            OccurredAt = Timestamp.FromDateTimeOffset(t.OccurredAt),
            Channel = (Wire.Channel)(int)t.Channel,
            Kind = (Wire.TouchpointKind)(int)t.Kind,
            Amount = t.Amount is null ? null : Money(t.Amount.Amount, t.Amount.Currency),
            SourceSystem = t.SourceSystem,
            RecordedBy = t.RecordedBy ?? "",
        };
        proto.LineItems.Add(t.LineItems.Select(li => new Wire.LineItem
        {
            Sku = li.Sku,
            Category = li.Category,
            Quantity = li.Quantity,
            UnitPrice = li.UnitPrice is null ? null : Money(li.UnitPrice.Amount, li.UnitPrice.Currency),
        }));
        foreach (var (key, value) in t.Attributes)
        {
            proto.Attributes[key] = value;
        }

        return proto;
    }

    public static Wire.Segment ToProto(SegmentFigures f, string currency)
    {
        var (dimension, value) = Domain.Segments.SegmentId.Split(f.SegmentId);
        var segment = new Wire.Segment
        {
            SegmentId = f.SegmentId,
            Dimension = dimension,
            Value = value,
            MemberCount = f.MemberCount,
            TotalNetSpend = Money(f.TotalNetSpend, currency),
            TotalValueScore = Money(f.TotalValueScore, currency),
            MeanValueScore = Money(f.MeanValueScore, currency),
            Version = f.Version,
            UpdatedAt = f.UpdatedAt == default ? null : Timestamp.FromDateTimeOffset(f.UpdatedAt),
        };
        segment.TopMembers.Add(f.TopMembers.Select(m => new Wire.SegmentMember
        {
            CustomerId = m.CustomerId,
            ValueScore = Money(m.ValueScore, currency),
            NetSpend = Money(m.NetSpend, currency),
        }));
        return segment;
    }

    public static Wire.Money Money(decimal amount, string currency) =>
        new() { Amount = amount.ToString("0.00##", CultureInfo.InvariantCulture), CurrencyCode = currency };

    private static Wire.Profile ToProto(D.CustomerProfile p)
    {
        var profile = new Wire.Profile
        {
            GivenName = p.GivenName,
            FamilyName = p.FamilyName,
            // A profile stored with an empty address, before an empty one cleared it, shows none.
            Address = p.Address is null || p.Address.IsEmpty ? null : new Wire.PostalAddress
            {
                Locality = p.Address.Locality,
                Region = p.Address.Region,
                PostalCode = p.Address.PostalCode,
                CountryCode = p.Address.CountryCode,
                Lines = { p.Address.Lines },
            },
        };
        profile.Emails.Add(p.Emails);
        profile.PhoneNumbers.Add(p.PhoneNumbers);
        profile.LoyaltyCardIds.Add(p.LoyaltyCardIds);
        foreach (var (key, value) in p.Attributes)
        {
            profile.Attributes[key] = value;
        }

        profile.Consents.Add(p.Consents.Select(c => new Wire.Consent
        {
            Channel = (Wire.MarketingChannel)(int)c.Channel,
            Granted = c.Granted,
            UpdatedAt = Timestamp.FromDateTimeOffset(c.UpdatedAt),
        }));
        return profile;
    }

    private static Wire.ValueScore ToProto(V.ValueAssessment value, ValueModelInputs? inputs, string currency) => new()
    {
        Score = Money(value.Score, currency),
        Tier = (Wire.ValueTier)(int)value.Tier,
        Model = value.Model,
        ComputedAt = Timestamp.FromDateTimeOffset(value.ComputedAt),
        Inputs = inputs is null ? null : new Wire.ValueModelInputs
        {
            RepeatPurchases = inputs.RepeatPurchases,
            WeeksToLastRepeat = inputs.WeeksToLastRepeat,
            WeeksSinceFirstPurchase = inputs.WeeksSinceFirstPurchase,
            MeanRepeatValue = Money(inputs.MeanRepeatValue, currency),
        },
        Fallback = value.IsFallback,
        ModelVersion = value.ModelVersion,
        Figures = value.Estimate is not { } e ? null : new Wire.CustomerValueFigures
        {
            ProbabilityAlive = e.ProbabilityAlive,
            ExpectedPurchases90Days = e.ExpectedPurchases90Days,
            ExpectedPurchases12Months = e.ExpectedPurchases12Months,
            ExpectedSpendPerPurchase = Money(V.ValueScorer.ToCents(e.ExpectedAverageSpend), currency),
            LifetimeValue = Money(value.Score, currency),
        },
        Rfm = value.Rfm is not { } rfm ? null : new Wire.RfmScore { Recency = rfm.Recency, Frequency = rfm.Frequency, Monetary = rfm.Monetary },
    };

    private static Timestamp? Time(DateTimeOffset? time) => time is null ? null : Timestamp.FromDateTimeOffset(time.Value);
}

using System.Globalization;
using Customer360.Domain.Customers;

namespace Customer360.LoadTest.Workload;

/// <summary>
/// The shape of a generated workload: how unevenly activity falls on customers, which kinds of
/// touchpoint it holds, and on which channels they happen.
/// </summary>
internal sealed record WorkloadMix
{
    /// <summary>
    /// The exponent s of a Zipf law over customers: the customer of activity rank k gets a share
    /// proportional to 1 / k^s. 0 spreads touchpoints evenly; around 1 a few customers are very
    /// busy and most are quiet, as in a real shop.
    /// </summary>
    public double Skew { get; init; }

    /// <summary>Relative weight of each kind of touchpoint; kinds not listed do not occur.</summary>
    public required IReadOnlyDictionary<TouchpointKind, int> Kinds { get; init; }

    /// <summary>
    /// Relative weight of each channel, applied among the channels each kind can happen on (a
    /// call is always in the call centre); null keeps each kind's own channels, evenly.
    /// </summary>
    public IReadOnlyDictionary<Channel, int>? Channels { get; init; }

    /// <summary>A retailer's touchpoint stream: mostly purchases and contacts, some returns.</summary>
    public static WorkloadMix Retail { get; } = new()
    {
        Kinds = new Dictionary<TouchpointKind, int>
        {
            [TouchpointKind.Purchase] = 40,
            [TouchpointKind.Return] = 6,
            [TouchpointKind.Visit] = 14,
            [TouchpointKind.Call] = 12,
            [TouchpointKind.EmailOpen] = 12,
            [TouchpointKind.EmailClick] = 6,
            [TouchpointKind.SupportTicketOpened] = 5,
            [TouchpointKind.SupportTicketResolved] = 4,
            [TouchpointKind.Complaint] = 1,
        },
    };

    /// <summary>The channels a kind of touchpoint can happen on; a till sale is listed twice, as it is twice as common.</summary>
    public static IReadOnlyList<Channel> ChannelsOf(TouchpointKind kind) => kind switch
    {
        TouchpointKind.Purchase => [Channel.PointOfSale, Channel.PointOfSale, Channel.Web, Channel.MobileApp],
        TouchpointKind.Return => [Channel.PointOfSale, Channel.Web],
        TouchpointKind.Visit => [Channel.Web, Channel.MobileApp],
        TouchpointKind.Call => [Channel.CallCentre],
        TouchpointKind.EmailOpen or TouchpointKind.EmailClick => [Channel.Email],
        TouchpointKind.SupportTicketOpened or TouchpointKind.SupportTicketResolved => [Channel.Support],
        TouchpointKind.Complaint => [Channel.CallCentre, Channel.Support],
        _ => [Channel.Other],
    };

    /// <summary>
    /// Reads "purchase=40,return=6,visit=14" (names as in <see cref="TouchpointKind"/> or
    /// snake_case, any case). Throws <see cref="ArgumentException"/> naming <paramref name="option"/>.
    /// </summary>
    public static Dictionary<TEnum, int> ParseWeights<TEnum>(string text, string option)
        where TEnum : struct, Enum
    {
        var weights = new Dictionary<TEnum, int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2
                || !Enum.TryParse<TEnum>(pair[0].Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true, out var name)
                || !Enum.IsDefined(name)
                || Convert.ToInt32(name, CultureInfo.InvariantCulture) == 0
                || !int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var weight))
            {
                throw new ArgumentException(
                    $"{option}: '{part}' is not name=weight; names are {string.Join(", ", Enum.GetNames<TEnum>())} and weights whole numbers");
            }

            if (!weights.TryAdd(name, weight))
            {
                throw new ArgumentException($"{option}: {name} is given twice");
            }
        }

        if (weights.Values.Sum(w => (long)w) <= 0)
        {
            throw new ArgumentException($"{option}: at least one weight must be positive");
        }

        return weights;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when the mix cannot be generated.</summary>
    public WorkloadMix Checked()
    {
        if (!double.IsFinite(Skew) || Skew is < 0 or > 4)
        {
            throw new ArgumentException("--skew must be between 0 (even) and 4");
        }

        if (Kinds.Values.Sum(w => (long)w) <= 0)
        {
            throw new ArgumentException("--mix: at least one kind must have a positive weight");
        }

        if (Channels is not null)
        {
            foreach (var kind in Kinds.Where(k => k.Value > 0).Select(k => k.Key))
            {
                if (!ChannelsOf(kind).Any(c => Channels.GetValueOrDefault(c) > 0))
                {
                    throw new ArgumentException(
                        $"--channel-mix leaves no channel for {kind}, which happens on {string.Join(" or ", ChannelsOf(kind).Distinct())}");
                }
            }
        }

        return this;
    }
}

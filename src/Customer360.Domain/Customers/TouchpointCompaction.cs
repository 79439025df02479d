using CommunityToolkit.HighPerformance.Buffers;

namespace Customer360.Domain.Customers;

/// <summary>
/// The form in which a customer keeps a touchpoint in memory: the customer's own id instead of a
/// copy per touchpoint, the small strings many touchpoints repeat (currencies, source systems,
/// SKUs, categories, attribute keys and values) shared through a bounded pool, and shared empty
/// collections. The content, and so the fingerprint, is unchanged.
/// </summary>
/// <remarks>
/// The pool is CommunityToolkit.HighPerformance's <see cref="StringPool"/>: fixed in size and
/// thread-safe, so a stream of distinct values (new SKUs every day) evicts old entries rather
/// than growing it. Strings longer than <see cref="MaxPooledLength"/> are kept as they are.
/// </remarks>
public static class TouchpointCompaction
{
    public const int MaxPooledLength = 64;

    public static Touchpoint Compact(Touchpoint t, string customerId) => t with
    {
        CustomerId = string.Equals(t.CustomerId, customerId, StringComparison.Ordinal) ? customerId : t.CustomerId,
        Amount = Compact(t.Amount),
        LineItems = t.LineItems is null or { Count: 0 } ? Array.Empty<LineItem>() : t.LineItems.Select(Compact).ToArray(),
        Attributes = t.Attributes is null or { Count: 0 } ? Touchpoint.EmptyAttributes : Compact(t.Attributes),
        SourceSystem = Pool(t.SourceSystem),
    };

    private static LineItem Compact(LineItem line) => new(Pool(line.Sku), Pool(line.Category), line.Quantity, Compact(line.UnitPrice));

    private static Money? Compact(Money? money) =>
        money is null ? null
        : Pool(money.Currency) is var currency && ReferenceEquals(currency, money.Currency) ? money
        : money with { Currency = currency };

    private static Dictionary<string, string> Compact(IReadOnlyDictionary<string, string> attributes)
    {
        var compact = new Dictionary<string, string>(attributes.Count, StringComparer.Ordinal);
        foreach (var (key, value) in attributes)
        {
            compact[Pool(key)] = Pool(value);
        }

        return compact;
    }

    // Null passes through: the API never stores one, but a log row written by other means may
    // hold one, and replaying it must not fail.
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(value))]
    private static string? Pool(string? value) =>
        value is null ? null : value.Length is 0 ? "" : value.Length > MaxPooledLength ? value : StringPool.Shared.GetOrAdd(value);
}

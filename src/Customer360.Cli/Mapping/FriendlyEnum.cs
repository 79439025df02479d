using System.Reflection;
using Google.Protobuf.Reflection;

namespace Customer360.Cli.Mapping;

/// <summary>
/// Short, lower-case names for a proto enum, as people type them: <c>point_of_sale</c> for
/// <c>CHANNEL_POINT_OF_SALE</c>. The names come from the proto itself, so a value added to the
/// contract is accepted without touching this code.
/// </summary>
internal sealed class FriendlyEnum<TEnum>
    where TEnum : struct, Enum
{
    private readonly Dictionary<string, TEnum> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<TEnum, string> _names = [];

    public FriendlyEnum(string protoPrefix)
    {
        foreach (var field in typeof(TEnum).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var value = (TEnum)field.GetValue(null)!;
            var original = field.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? field.Name;
            var friendly = (original.StartsWith(protoPrefix, StringComparison.Ordinal)
                ? original[protoPrefix.Length..]
                : original).ToLowerInvariant();

            _names[value] = friendly;
            if (Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                // The zero value means "not set"; nobody should be able to ask for it by name.
                continue;
            }

            _byName[friendly] = value;
            _byName[original] = value;
            Values.Add(friendly);
        }
    }

    /// <summary>The accepted friendly names in proto order, without the "unspecified" value.</summary>
    public List<string> Values { get; } = [];

    /// <summary>The names joined with '|', for help text and error messages.</summary>
    public string Choices => string.Join('|', Values);

    public bool TryParse(string? text, out TEnum value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        // "point-of-sale" and "Point_Of_Sale" are what people type as often as the canonical form.
        return _byName.TryGetValue(text.Trim().Replace('-', '_'), out value);
    }

    public TEnum Parse(string? text, string what) =>
        TryParse(text, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a {what}; use one of {Choices}");

    public string Format(TEnum value) =>
        _names.TryGetValue(value, out var name) ? name : Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

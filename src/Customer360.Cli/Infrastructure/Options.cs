using System.CommandLine;
using System.CommandLine.Parsing;
using Customer360.Cli.Mapping;
using Google.Protobuf.WellKnownTypes;

namespace Customer360.Cli.Infrastructure;

/// <summary>Options that read friendly enum names, timestamps and key=value pairs.</summary>
internal static class Options
{
    public static Option<TEnum> Enum<TEnum>(string name, FriendlyEnum<TEnum> names, string description)
        where TEnum : struct, System.Enum =>
        new(name)
        {
            Description = description,
            HelpName = names.Choices,
            CustomParser = result => ParseEnum(result, names),
        };

    /// <summary>An option that may be given several times, e.g. <c>--channel web --channel email</c>.</summary>
    public static Option<TEnum[]> Enums<TEnum>(string name, FriendlyEnum<TEnum> names, string description)
        where TEnum : struct, System.Enum =>
        new(name)
        {
            Description = description,
            HelpName = names.Choices,
            AllowMultipleArgumentsPerToken = false,
            CustomParser = result => [.. result.Tokens.Select(token => ParseEnum(token.Value, result, names))],
        };

    /// <summary><c>--recent N</c> of the commands that show a customer's view: how many recent touchpoints it carries.</summary>
    public static Option<int?> RecentTouchpoints()
    {
        var option = new Option<int?>("--recent") { Description = "How many recent touchpoints to show, newest first (0 for none; default: all the server keeps)" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 0)
            {
                result.AddError("--recent must not be negative");
            }
        });
        return option;
    }

    /// <summary>A whole number with a default, refused outside <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static Option<int> Int(string name, string description, int defaultValue, int min, int max)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < min || result.GetValueOrDefault<int>() > max)
            {
                result.AddError($"{name} must be between {min} and {max}");
            }
        });
        return option;
    }

    public static Option<Timestamp?> Timestamp(string name, string description) =>
        new(name)
        {
            Description = description,
            HelpName = "iso-8601",
            CustomParser = result => Convert(result, ProtoValues.ParseTimestamp),
        };

    public static Option<KeyValuePair<string, string>[]> KeyValues(string name, string description) =>
        new(name)
        {
            Description = description,
            HelpName = "key=value",
            CustomParser = result => [.. result.Tokens.Select(token => Convert(token.Value, result, ProtoValues.ParseKeyValue))],
        };

    private static TEnum ParseEnum<TEnum>(ArgumentResult result, FriendlyEnum<TEnum> names)
        where TEnum : struct, System.Enum =>
        result.Tokens.Count == 0 ? default : ParseEnum(result.Tokens[^1].Value, result, names);

    private static TEnum ParseEnum<TEnum>(string text, ArgumentResult result, FriendlyEnum<TEnum> names)
        where TEnum : struct, System.Enum
    {
        if (names.TryParse(text, out var value))
        {
            return value;
        }

        result.AddError($"'{text}' is not one of {names.Choices}");
        return default;
    }

    private static T? Convert<T>(ArgumentResult result, Func<string, T> parse) =>
        result.Tokens.Count == 0 ? default : Convert(result.Tokens[^1].Value, result, parse);

    private static T? Convert<T>(string text, ArgumentResult result, Func<string, T> parse)
    {
        try
        {
            return parse(text);
        }
        catch (FormatException ex)
        {
            result.AddError(ex.Message);
            return default;
        }
    }
}

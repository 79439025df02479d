using System.Text.Json;

namespace Customer360.LoadTest;

/// <summary>
/// Lets a workload be kept in a small JSON file instead of a long command line: <c>--profile
/// FILE</c> is replaced by the file's settings, written as the command's own options. The file is
/// one JSON object whose property names are option names without the dashes, e.g.
/// <c>{ "touchpoints": 200000, "skew": 1.0, "mix": "purchase=50,visit=30", "returning": true }</c>.
/// A number or string becomes the option's value, <c>true</c> a flag, an array several values;
/// <c>false</c> and <c>null</c> leave the option out. Options given on the command line win over
/// the file, and a name the command does not know is refused by the command's parser as usual.
/// </summary>
internal static class ProfileArguments
{
    public const string Option = "--profile";

    /// <summary>The arguments with any <c>--profile FILE</c> replaced by the file's settings.</summary>
    /// <exception cref="ProfileException">The file is missing, unreadable or not a JSON object of settings.</exception>
    public static string[] Expand(string[] args)
    {
        var at = Array.FindIndex(args, a => a == Option || a.StartsWith(Option + "=", StringComparison.Ordinal));
        if (at < 0)
        {
            return args;
        }

        string path;
        int taken;
        if (args[at] == Option)
        {
            path = at + 1 < args.Length ? args[at + 1] : throw new ProfileException($"{Option} needs a file");
            taken = 2;
        }
        else
        {
            path = args[at][(Option.Length + 1)..];
            taken = 1;
        }

        var rest = args.Take(at).Concat(args.Skip(at + taken)).ToList();
        var given = rest.Where(a => a.StartsWith("--", StringComparison.Ordinal)).Select(a => a.Split('=', 2)[0]).ToHashSet(StringComparer.Ordinal);
        var fromFile = Read(path).Where(setting => !given.Contains(setting[0])).SelectMany(setting => setting);

        // The settings go where the profile was, so they belong to the same command.
        return [.. rest.Take(at), .. fromFile, .. rest.Skip(at)];
    }

    /// <summary>The file's settings, each as its option followed by its values.</summary>
    private static List<string[]> Read(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ProfileException($"{Option} {path}: {ex.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ProfileException($"{Option} {path}: expected a JSON object of settings");
            }

            var settings = new List<string[]>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var option = "--" + property.Name.TrimStart('-');
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.True:
                        settings.Add([option]);
                        break;
                    case JsonValueKind.False or JsonValueKind.Null:
                        break;
                    case JsonValueKind.Array:
                        settings.Add([option, .. property.Value.EnumerateArray().Select(v => Scalar(v, path, property.Name))]);
                        break;
                    default:
                        settings.Add([option, Scalar(property.Value, path, property.Name)]);
                        break;
                }
            }

            return settings;
        }
    }

    private static string Scalar(JsonElement value, string path, string name) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        _ => throw new ProfileException($"{Option} {path}: \"{name}\" must be a number, a string, true/false or an array of those"),
    };
}

/// <summary>A <c>--profile</c> file that cannot be used; the message says why.</summary>
internal sealed class ProfileException(string message) : Exception(message);

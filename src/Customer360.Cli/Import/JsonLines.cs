using Google.Protobuf;

namespace Customer360.Cli.Import;

/// <summary>
/// JSON Lines of proto messages: one object per line in the proto JSON mapping. Both the
/// lowerCamelCase JSON names and the original snake_case field names are accepted; unknown
/// fields are an error, so a typo does not silently drop data.
/// </summary>
internal static class JsonLines
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    public static ParsedLine<T> Parse<T>(string line, int lineNumber)
        where T : class, IMessage<T>, new()
    {
        try
        {
            return ParsedLine<T>.Ok(lineNumber, Parser.Parse<T>(line));
        }
        catch (Exception ex) when (ex is InvalidJsonException or InvalidProtocolBufferException or FormatException)
        {
            return ParsedLine<T>.Failed(lineNumber, $"not a valid {typeof(T).Name} JSON object: {ex.Message}");
        }
    }

    /// <summary>Proto JSON as scripts read it: one object per line, no indentation.</summary>
    public static string Format(IMessage message) => JsonFormatter.Default.Format(message);
}

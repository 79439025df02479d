namespace Customer360.Cli.Import;

/// <summary>
/// One record of an import file: either the message it holds or why it could not be read.
/// Line numbers count from 1 and include the header, so they match what an editor shows.
/// </summary>
internal sealed record ParsedLine<T>(int LineNumber, T? Message, string? Error, string? EventId = null)
    where T : class
{
    public static ParsedLine<T> Ok(int lineNumber, T message) => new(lineNumber, message, null);

    public static ParsedLine<T> Failed(int lineNumber, string error, string? eventId = null) => new(lineNumber, null, error, eventId);
}

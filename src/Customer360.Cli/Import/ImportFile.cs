using Customer360.Api.V1;

namespace Customer360.Cli.Import;

/// <summary>The formats <c>c360 import</c> reads.</summary>
internal enum ImportFormat
{
    Auto,
    Csv,
    Jsonl,
}

/// <summary>
/// Reads an import file record by record, so a file of any size streams through in constant
/// memory. Blank lines are skipped; every other line yields a record or the reason it has none.
/// </summary>
internal static class ImportFile
{
    /// <summary>Decides the format from the file name, and failing that from the first character.</summary>
    public static ImportFormat Detect(string path, string? firstLine)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".csv" => ImportFormat.Csv,
            ".jsonl" or ".ndjson" or ".json" => ImportFormat.Jsonl,
            _ => firstLine?.TrimStart('\uFEFF').TrimStart().StartsWith('{') == true ? ImportFormat.Jsonl : ImportFormat.Csv,
        };
    }

    public static IEnumerable<ParsedLine<Touchpoint>> ReadTouchpoints(TextReader reader, ImportFormat format)
    {
        if (format == ImportFormat.Auto)
        {
            throw new ArgumentException("detect the format before reading", nameof(format));
        }

        TouchpointCsv? csv = null;
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (format == ImportFormat.Jsonl)
            {
                yield return JsonLines.Parse<Touchpoint>(line, lineNumber);
            }
            else if (csv is null)
            {
                csv = TouchpointCsv.FromHeader(line);
            }
            else
            {
                yield return csv.Parse(line, lineNumber);
            }
        }
    }

    public static IEnumerable<ParsedLine<UpsertProfileRequest>> ReadProfiles(TextReader reader)
    {
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return JsonLines.Parse<UpsertProfileRequest>(line, lineNumber);
            }
        }
    }

    /// <summary>How many records a file holds, for a progress bar: non-blank lines, less the CSV header.</summary>
    public static int CountRecords(string path, ImportFormat format)
    {
        var count = File.ReadLines(path).Count(line => !string.IsNullOrWhiteSpace(line));
        return format == ImportFormat.Csv ? Math.Max(0, count - 1) : count;
    }

    public static string? FirstNonBlankLine(string path) =>
        File.ReadLines(path).FirstOrDefault(line => !string.IsNullOrWhiteSpace(line));
}

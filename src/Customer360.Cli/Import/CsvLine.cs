using System.Text;

namespace Customer360.Cli.Import;

/// <summary>
/// One line of comma-separated values as spreadsheets write them: fields may be quoted, a quote
/// inside a quoted field is doubled. Records span exactly one line; unquoted fields are trimmed.
/// </summary>
internal static class CsvLine
{
    public static bool TrySplit(string line, List<string> fields, out string? error)
    {
        fields.Clear();
        error = null;
        var field = new StringBuilder();
        var i = 0;
        while (true)
        {
            field.Clear();
            while (i < line.Length && line[i] == ' ')
            {
                i++;
            }

            if (i < line.Length && line[i] == '"')
            {
                i++;
                var closed = false;
                while (i < line.Length)
                {
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        closed = true;
                        i++;
                        break;
                    }

                    field.Append(line[i++]);
                }

                if (!closed)
                {
                    error = $"field {fields.Count + 1} has an opening quote but no closing quote";
                    return false;
                }

                while (i < line.Length && line[i] == ' ')
                {
                    i++;
                }

                if (i < line.Length && line[i] != ',')
                {
                    error = $"field {fields.Count + 1} has text after its closing quote";
                    return false;
                }

                fields.Add(field.ToString());
            }
            else
            {
                var start = i;
                while (i < line.Length && line[i] != ',')
                {
                    i++;
                }

                fields.Add(line[start..i].Trim());
            }

            if (i >= line.Length)
            {
                return true;
            }

            // Skip the separator; a trailing comma means one more, empty, field.
            i++;
            if (i == line.Length)
            {
                fields.Add(string.Empty);
                return true;
            }
        }
    }

    /// <summary>Quotes a field only when it has to be, so plain data stays plain.</summary>
    public static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (field.Length > 0 && (field[0] == ' ' || field[^1] == ' '))
            ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
            : field;

    public static string Join(IEnumerable<string> fields) => string.Join(',', fields.Select(Escape));
}

using System.Buffers;

namespace Customer360.Domain.Validation;

/// <summary>
/// Whether text holds a control character (as <see cref="char.IsControl(char)"/>: U+0000–U+001F
/// and U+007F–U+009F). Checked on every id of every touchpoint, so as a vectorised span search
/// rather than through an enumerator of the string.
/// </summary>
internal static class ControlCharacters
{
    /// <summary>Every control character but tab, line feed and carriage return.</summary>
    private static readonly SearchValues<char> OutsideLayout = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c).Where(c => c is not ('\t' or '\n' or '\r'))]);

    public static bool In(string value)
    {
        var text = value.AsSpan();
        return text.IndexOfAnyInRange('\u0000', '\u001F') >= 0 || text.IndexOfAnyInRange('\u007F', '\u009F') >= 0;
    }

    /// <summary>
    /// For free text (attribute values): a note may be laid out over lines and in columns, so tab,
    /// line feed and carriage return are allowed; NUL, escape (terminal control sequences), bell
    /// and the rest never belong in text a person reads.
    /// </summary>
    public static bool InFreeText(string value) => value.AsSpan().ContainsAny(OutsideLayout);
}

namespace Customer360.Domain.Validation;

/// <summary>
/// Whether text holds a control character (as <see cref="char.IsControl(char)"/>: U+0000–U+001F
/// and U+007F–U+009F). Checked on every id of every touchpoint, so as a vectorised span search
/// rather than through an enumerator of the string.
/// </summary>
internal static class ControlCharacters
{
    public static bool In(string value)
    {
        var text = value.AsSpan();
        return text.IndexOfAnyInRange('\u0000', '\u001F') >= 0 || text.IndexOfAnyInRange('\u007F', '\u009F') >= 0;
    }
}

using System.Text.RegularExpressions;

namespace Customer360.LoadTest.Reporting;

/// <summary>
/// The command that produced a report, written into it so that anyone can run it again. A
/// connection string's password never leaves the machine in a report: it is masked.
/// </summary>
internal static partial class RunCommandLine
{
    /// <summary>This process's command as <c>c360-load …</c>, with passwords masked.</summary>
    public static string Current() => Describe(Environment.GetCommandLineArgs().Skip(1));

    /// <summary><c>c360-load</c> followed by <paramref name="arguments"/>, quoted for a POSIX shell where needed, passwords masked.</summary>
    public static string Describe(IEnumerable<string> arguments) =>
        string.Join(' ', arguments.Select(a => Quote(Mask(a))).Prepend("c360-load"));

    /// <summary>Replaces the value of every <c>Password=</c> (or <c>Pwd=</c>) key in a connection string.</summary>
    public static string Mask(string argument) => PasswordKey().Replace(argument, m => $"{m.Groups["key"].Value}=***");

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"(?<key>\b(?:password|pwd))\s*=\s*[^;]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordKey();
}

using System.Diagnostics;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// A folder laid out as the kubelet lays out a mounted secret or config map: each file a link
/// into <c>..data</c> (<c>tls.crt -> ..data/tls.crt</c>), <c>..data</c> a link to the current
/// version's directory, and a new version written beside the old one, then made current by
/// renaming a new link over <c>..data</c>, in one atomic step.
/// </summary>
internal static class KubernetesVolume
{
    /// <summary>Writes <paramref name="files"/> (name, content) as the volume's new version, and makes it current.</summary>
    public static void Publish(string folder, string version, IReadOnlyDictionary<string, string> files)
    {
        var directory = Directory.CreateDirectory(Path.Combine(folder, version)).FullName;
        foreach (var (name, content) in files)
        {
            File.WriteAllText(Path.Combine(directory, name), content);
        }

        var link = Path.Combine(folder, "..data_tmp");
        File.CreateSymbolicLink(link, version);
        RenameOver(link, Path.Combine(folder, "..data"));
        foreach (var name in files.Keys.Where(name => !Path.Exists(Path.Combine(folder, name))))
        {
            File.CreateSymbolicLink(Path.Combine(folder, name), Path.Combine("..data", name));
        }
    }

    /// <summary>
    /// rename(2) of a link over another, atomic as the kubelet's; through mv, since .NET's
    /// File.Move and Directory.Move refuse a link to a directory, or one that replaces another.
    /// </summary>
    private static void RenameOver(string link, string replaced)
    {
        using var mv = Process.Start("mv", ["-T", link, replaced]);
        mv.WaitForExit();
        Assert.Equal(0, mv.ExitCode);
    }
}

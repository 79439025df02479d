using System.Diagnostics;

namespace Customer360.Testing;

/// <summary>The repository the tests run from, and its scripts run as an operator runs them.</summary>
public static class RepositoryScripts
{
    /// <summary>The folder holding Customer360.sln, above the test's output folder.</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Customer360.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Customer360.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs a script with bash and returns how it ended and what it printed.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunBashAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash", [script, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }
}

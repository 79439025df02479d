using System.Diagnostics;

namespace Customer360.EndToEnd.Tests;

/// <summary>The built <c>c360</c>, run as a process the way an operator or a script runs it.</summary>
public static class CliProcess
{
    /// <summary>Runs c360 from this build (same configuration and target framework) and collects its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var cli = Path.Combine(RepositoryRoot(), "src", "Customer360.Cli", "bin", testOutput.Parent!.Name, testOutput.Name, "c360.dll");
        Assert.True(File.Exists(cli), $"c360 is not built at {cli}");
        var start = new ProcessStartInfo("dotnet", [cli, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("C360_SERVER");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("c360 did not start");
        using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var output = process.StandardOutput.ReadToEndAsync(hang.Token);
        var error = process.StandardError.ReadToEndAsync(hang.Token);
        await process.WaitForExitAsync(hang.Token);
        return (process.ExitCode, await output, await error);
    }

    public static string RepositoryRoot() => Customer360.Testing.RepositoryScripts.Root();
}

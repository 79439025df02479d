using System.Diagnostics;

namespace Customer360.EndToEnd.Tests;

/// <summary>The built <c>c360</c>, run as a process the way an operator or a script runs it.</summary>
public static class CliProcess
{
    /// <summary>Runs c360 from this build (same configuration and target framework) and collects its exit code and output.</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments) =>
        RunAsync(TimeSpan.FromMinutes(5), arguments);

    /// <summary>As <see cref="RunAsync(string[])"/>; a c360 still running after <paramref name="within"/> is killed, and the test fails.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(TimeSpan within, params string[] arguments)
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
        using var hang = new CancellationTokenSource(within);
        var output = process.StandardOutput.ReadToEndAsync(hang.Token);
        var error = process.StandardError.ReadToEndAsync(hang.Token);
        try
        {
            await process.WaitForExitAsync(hang.Token);
        }
        catch (OperationCanceledException) when (hang.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"c360 {string.Join(' ', arguments)} did not end within {within}");
        }

        return (process.ExitCode, await output, await error);
    }

    public static string RepositoryRoot() => Customer360.Testing.RepositoryScripts.Root();
}

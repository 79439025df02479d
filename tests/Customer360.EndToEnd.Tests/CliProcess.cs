using System.Diagnostics;
using System.Globalization;

namespace Customer360.EndToEnd.Tests;

/// <summary>The built <c>c360</c>, run as a process the way an operator or a script runs it.</summary>
public static class CliProcess
{
    /// <summary>Runs c360 from this build (same configuration and target framework) and collects its exit code and output.</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments) =>
        RunAsync(TimeSpan.FromMinutes(5), arguments);

    /// <summary>As <see cref="RunAsync(string[])"/>; a c360 still running after <paramref name="within"/> is killed, and the test fails.</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(TimeSpan within, params string[] arguments) =>
        RunAsync(new Dictionary<string, string>(), within, arguments);

    /// <summary>As <see cref="RunAsync(TimeSpan, string[])"/>, with <paramref name="environment"/> added to c360's environment.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        IReadOnlyDictionary<string, string> environment, TimeSpan within, params string[] arguments)
    {
        var start = StartInfo(arguments);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

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

    /// <summary>
    /// Starts c360 and leaves it running, its output read line by line as it is written, for
    /// commands that run until stopped (<c>watch</c>): the test waits for what it expects to see
    /// (<see cref="Running.WaitForOutputAsync"/>) and acts in between.
    /// </summary>
    public static Running Start(params string[] arguments)
    {
        var process = new Process { StartInfo = StartInfo(arguments) };
        var running = new Running(process, arguments);
        process.OutputDataReceived += (_, e) => running.Add(running.OutputLines, e.Data);
        process.ErrorDataReceived += (_, e) => running.Add(running.ErrorLines, e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException("c360 did not start");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    public static string RepositoryRoot() => Customer360.Testing.RepositoryScripts.Root();

    private static ProcessStartInfo StartInfo(string[] arguments)
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
        return start;
    }

    /// <summary>A c360 still running; killed on dispose if it still is.</summary>
    public sealed class Running : IAsyncDisposable
    {
        /// <summary>Only bounds a hang: a line that has not come by then is not coming.</summary>
        private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

        private readonly Process _process;
        private readonly string[] _arguments;
        private readonly Lock _gate = new();
        private TaskCompletionSource _changed = NewSignal();

        internal Running(Process process, string[] arguments)
        {
            _process = process;
            _arguments = arguments;
        }

        internal List<string> OutputLines { get; } = [];

        internal List<string> ErrorLines { get; } = [];

        /// <summary>Standard output so far, line by line.</summary>
        public IReadOnlyList<string> Output => Snapshot(OutputLines);

        /// <summary>Standard error so far, line by line.</summary>
        public IReadOnlyList<string> Error => Snapshot(ErrorLines);

        public bool HasExited => _process.HasExited;

        /// <summary>The first line of standard output that <paramref name="match"/> accepts, waiting for it if need be; the test fails if c360 ends first.</summary>
        public Task<string> WaitForOutputAsync(Func<string, bool> match) => WaitForAsync(OutputLines, "standard output", match);

        /// <summary>As <see cref="WaitForOutputAsync"/>, on standard error.</summary>
        public Task<string> WaitForErrorAsync(Func<string, bool> match) => WaitForAsync(ErrorLines, "standard error", match);

        /// <summary>
        /// SIGTERM, then the exit code once c360 has ended. c360 takes SIGTERM as it takes
        /// Ctrl-C: both cancel the running command, which then ends cleanly. Ctrl-C (SIGINT)
        /// itself cannot be relied on here: a test run started in the background by a
        /// non-interactive shell, as build servers start it, inherits SIGINT as ignored, c360
        /// inherits that from the test run, and .NET leaves an inherited, ignored SIGINT ignored.
        /// </summary>
        public async Task<int> StopAsync()
        {
            using (var signal = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await signal.WaitForExitAsync();
            }

            return await WaitForExitAsync();
        }

        /// <summary>The exit code once c360 has ended by itself.</summary>
        public async Task<int> WaitForExitAsync()
        {
            using var hang = new CancellationTokenSource(Patience);
            try
            {
                await _process.WaitForExitAsync(hang.Token);
            }
            catch (OperationCanceledException) when (hang.IsCancellationRequested)
            {
                Assert.Fail($"c360 {string.Join(' ', _arguments)} did not end within {Patience}\n{Printed()}");
            }

            return _process.ExitCode;
        }

        /// <summary>What c360 printed so far, for failure messages.</summary>
        public string Printed() =>
            $"standard output:\n{string.Join('\n', Output)}\nstandard error:\n{string.Join('\n', Error)}";

        internal void Add(List<string> lines, string? line)
        {
            TaskCompletionSource changed;
            lock (_gate)
            {
                if (line is not null)
                {
                    lines.Add(line);
                }

                // A null line is the end of a stream: waiters look again, and find c360 ended.
                changed = _changed;
                _changed = NewSignal();
            }

            changed.TrySetResult();
        }

        private async Task<string> WaitForAsync(List<string> lines, string stream, Func<string, bool> match)
        {
            using var hang = new CancellationTokenSource(Patience);
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    if (lines.FirstOrDefault(match) is { } found)
                    {
                        return found;
                    }

                    changed = _changed.Task;
                }

                if (_process.HasExited)
                {
                    // Its last lines may still be on their way.
                    _process.WaitForExit();
                    lock (_gate)
                    {
                        if (lines.FirstOrDefault(match) is { } found)
                        {
                            return found;
                        }
                    }

                    Assert.Fail($"c360 {string.Join(' ', _arguments)} exited with {_process.ExitCode} before printing the line awaited on {stream}\n{Printed()}");
                }

                try
                {
                    // The exit is not a line: it is checked again now and then.
                    await changed.WaitAsync(TimeSpan.FromSeconds(1), hang.Token);
                }
                catch (TimeoutException)
                {
                }
                catch (OperationCanceledException) when (hang.IsCancellationRequested)
                {
                    Assert.Fail($"c360 {string.Join(' ', _arguments)} did not print the line awaited on {stream} within {Patience}\n{Printed()}");
                }
            }
        }

        private List<string> Snapshot(List<string> lines)
        {
            lock (_gate)
            {
                return [.. lines];
            }
        }

        private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}

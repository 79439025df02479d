using System.Diagnostics;
using System.Globalization;
using Customer360.Api.V1;
using Customer360.Testing;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// The real server as a child process (the built Customer360.Server), configured through
/// environment variables exactly as an operator would. <see cref="Kill"/> sends SIGKILL: no
/// shutdown code runs, as in a crash or an out-of-memory kill.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _output = new();

    // Every line of output, up to a bound, for tests of what the server logs.
    private readonly List<string> _allOutput = [];
    private const int AllOutputBound = 200_000;

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
        Customers = new CustomerService.CustomerServiceClient(Channel);
        Segments = new SegmentService.SegmentServiceClient(Channel);
        ValueModels = new ValueModelService.ValueModelServiceClient(Channel);
    }

    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    public CustomerService.CustomerServiceClient Customers { get; }

    public SegmentService.SegmentServiceClient Segments { get; }

    public ValueModelService.ValueModelServiceClient ValueModels { get; }

    /// <summary>The server's last lines of output, for failure messages.</summary>
    public string RecentOutput
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Every line the server has written so far (at most the first 200,000).</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _allOutput];
            }
        }
    }

    /// <summary>The configuration the running server was started with, ports included; restart with it.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; private init; } = new Dictionary<string, string?>();

    /// <summary>
    /// Starts a server with <paramref name="settings"/> (configuration keys such as
    /// "Customer360:Storage:Provider") and waits until its health check reports SERVING. Ports
    /// not given are picked free. A free port can be taken by another process before the server
    /// binds it; then the server is started again on other ports (given ones included), and
    /// <see cref="Settings"/> tells which were used.
    /// </summary>
    /// <param name="applicationDirectory">Where the server's files are: this test's output folder unless given.</param>
    /// <param name="workingDirectory">The directory it is started in: its application directory unless given.</param>
    public static async Task<ServerProcess> StartAsync(IDictionary<string, string?> settings, string? applicationDirectory = null, string? workingDirectory = null)
    {
        const int attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            var environment = new Dictionary<string, string?>
            {
                ["Customer360:Grpc:Port"] = LoopbackHost.FreePort().ToString(CultureInfo.InvariantCulture),
                ["Customer360:Silo:ClusterId"] = "process-" + Guid.NewGuid().ToString("N"),
                ["Customer360:Silo:SiloPort"] = LoopbackHost.FreePort().ToString(CultureInfo.InvariantCulture),
                ["Customer360:Silo:GatewayPort"] = LoopbackHost.FreePort().ToString(CultureInfo.InvariantCulture),
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Customer360"] = "Information",
            };
            var ports = attempt == 1 ? settings : settings.Where(kv => !IsPort(kv.Key));
            foreach (var (key, value) in ports)
            {
                environment[key] = value;
            }

            var server = Launch(environment, applicationDirectory ?? AppContext.BaseDirectory, workingDirectory);
            try
            {
                await server.WaitUntilServingAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < attempts && server.RecentOutput.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await server.DisposeAsync();
            }
        }
    }

    private static bool IsPort(string key) =>
        key is "Customer360:Grpc:Port" or "Customer360:Silo:SiloPort" or "Customer360:Silo:GatewayPort";

    private static ServerProcess Launch(Dictionary<string, string?> environment, string applicationDirectory, string? workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(applicationDirectory, "Customer360.Server.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? applicationDirectory,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The server process did not start.");
        var port = int.Parse(environment["Customer360:Grpc:Port"]!, CultureInfo.InvariantCulture);
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}")) { Settings = environment };
        process.OutputDataReceived += (_, e) => server.Remember(e.Data);
        process.ErrorDataReceived += (_, e) => server.Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>SIGKILL, then waits for the process to be gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    /// <summary>
    /// SIGTERM, as a service manager or Ctrl-C stops the server, then waits for the process to
    /// exit and its output to be read to the end. Returns its exit code: 0 when the server
    /// stopped by itself, 143 when the signal ended it unhandled. A server still running after
    /// <paramref name="within"/> fails the test (and is killed when disposed).
    /// </summary>
    public async Task<int> StopAsync(TimeSpan within)
    {
        using (var signal = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await signal.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The server at {Address} was still running {within.TotalSeconds} s after SIGTERM:\n{RecentOutput}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        Channel.Dispose();
        _process.Dispose();
        await Task.CompletedTask;
    }

    private async Task WaitUntilServingAsync()
    {
        var health = new Health.HealthClient(Channel);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{RecentOutput}");
            }

            try
            {
                var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The server did not become healthy:\n{RecentOutput}");
            }

            await Task.Delay(200);
        }
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_allOutput.Count < AllOutputBound)
            {
                _allOutput.Add(line);
            }

            _output.Enqueue(line);
            while (_output.Count > 200)
            {
                _output.Dequeue();
            }
        }
    }
}

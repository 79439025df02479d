using System.Net;
using System.Net.Sockets;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// A TCP route to the server for one connection that can go silent: from then on it carries
/// nothing either way and closes nothing, as a peer that vanished from the network.
/// </summary>
public sealed class SilentRoute : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Uri _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _sockets = [];
    private Task _running = Task.CompletedTask;
    private volatile bool _silent;

    private SilentRoute(TcpListener listener, Uri server)
    {
        _listener = listener;
        _server = server;
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public static Task<SilentRoute> ToAsync(Uri server)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var route = new SilentRoute(listener, server);
        route._running = route.RunAsync();
        return Task.FromResult(route);
    }

    public void GoSilent() => _silent = true;

    private async Task RunAsync()
    {
        using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
        using var upstream = new TcpClient();
        await upstream.ConnectAsync(_server.Host, _server.Port, _stop.Token);
        lock (_sockets)
        {
            _sockets.AddRange([client, upstream]);
        }

        await Task.WhenAll(PumpAsync(client.GetStream(), upstream.GetStream()), PumpAsync(upstream.GetStream(), client.GetStream()));

        // Whatever one side does, the other is told nothing until the test ends.
        await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (!_silent)
                {
                    await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            _sockets.ForEach(s => s.Dispose());
        }

        await _running.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }
}

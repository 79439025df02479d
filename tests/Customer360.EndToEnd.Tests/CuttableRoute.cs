using System.Net;
using System.Net.Sockets;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// A TCP route to the server on loopback, for any number of connections, whose connections can
/// all be cut at once, as a network blip or a load balancer's restart cuts them; new ones are
/// carried as before. The clients see their connection end; the server sees its side close.
/// </summary>
public sealed class CuttableRoute : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Uri _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<TcpClient> _sockets = [];
    private Task _accepting = Task.CompletedTask;

    private CuttableRoute(TcpListener listener, Uri server)
    {
        _listener = listener;
        _server = server;
    }

    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public static CuttableRoute To(Uri server)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var route = new CuttableRoute(listener, server);
        route._accepting = route.AcceptAsync();
        return route;
    }

    /// <summary>Closes every connection carried so far, both ends.</summary>
    public void CutAll()
    {
        List<TcpClient> cut;
        lock (_gate)
        {
            cut = [.. _sockets];
            _sockets.Clear();
        }

        cut.ForEach(socket => socket.Dispose());
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var upstream = new TcpClient();
                await upstream.ConnectAsync(_server.Host, _server.Port, _stop.Token);
                lock (_gate)
                {
                    _sockets.Add(client);
                    _sockets.Add(upstream);
                }

                _ = PumpAsync(client, upstream);
                _ = PumpAsync(upstream, client);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Disposed.
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.GetStream().ReadAsync(buffer, _stop.Token)) > 0)
            {
                await to.GetStream().WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // Cut, or the other side went away.
        }

        // One side ended: so does the other, as a relay would.
        from.Dispose();
        to.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        await _accepting;
        _stop.Dispose();
    }
}

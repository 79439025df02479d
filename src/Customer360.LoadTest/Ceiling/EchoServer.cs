using System.Net;
using Customer360.LoadTest.Ceiling.Wire;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Customer360.LoadTest.Ceiling;

/// <summary>
/// The echo side of the gRPC ceiling: a minimal Kestrel server in the tool's own process, on a
/// free loopback port, speaking HTTP/2 without TLS as the Customer360 server does, whose only
/// service sends back each frame it receives.
/// </summary>
internal sealed class EchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Where the echo service listens, e.g. http://127.0.0.1:41234.</summary>
    public Uri Address { get; }

    /// <param name="tamper">
    /// For tests of the client's checks only: sees each frame before it goes back and returns what
    /// to send instead, or null to send nothing. Null (the default) echoes every frame unchanged.
    /// </param>
    public static async Task<EchoServer> StartAsync(Func<EchoFrame, EchoFrame?>? tamper = null, CancellationToken cancellationToken = default)
    {
        // No arguments and a content root of its own: the tool's command line, working folder and
        // ASPNETCORE_* settings are not this server's.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });

        // Nor is the Customer360 server's appsettings.json, which its project reference copies
        // next to the tool: this server reads no configuration at all.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new EchoTamper(tamper));
        var app = builder.Build();
        app.MapGrpcService<TouchpointEchoService>();
        await app.StartAsync(cancellationToken);

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EchoServer(app, new Uri(bound));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>What the echo service does to a frame before sending it back; see <see cref="EchoServer.StartAsync"/>.</summary>
internal sealed record EchoTamper(Func<EchoFrame, EchoFrame?>? Change);

/// <summary>Sends back each frame of the call, in order, as soon as it arrives.</summary>
internal sealed class TouchpointEchoService(EchoTamper tamper) : TouchpointEcho.TouchpointEchoBase
{
    public override async Task Echo(IAsyncStreamReader<EchoFrame> requestStream, IServerStreamWriter<EchoFrame> responseStream, ServerCallContext context)
    {
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var frame = tamper.Change is { } change ? change(requestStream.Current) : requestStream.Current;
            if (frame is null)
            {
                continue;
            }

            await responseStream.WriteAsync(frame, context.CancellationToken);
        }
    }
}

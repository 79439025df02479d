using Customer360.Clients;
using Grpc.Core;
using Grpc.Net.Client;

namespace Customer360.LoadTest.Ingest;

/// <summary>
/// Channels to a Customer360 server, sending the API key with every call when there is one, and
/// trusting a private CA's certificates (<c>--ca-cert</c>) when given them.
/// </summary>
internal static class ServerChannel
{
    public static GrpcChannel Open(Uri server, string? apiKey, string? caCertificate = null, SocketsHttpHandler? handler = null)
    {
        if (caCertificate is not null)
        {
            handler = ServerTrust.Trusting(handler ?? new SocketsHttpHandler(), caCertificate);
        }

        var options = new GrpcChannelOptions { HttpHandler = handler };
        if (apiKey is not null)
        {
            var key = CallCredentials.FromInterceptor((_, headers) =>
            {
                headers.Add("authorization", $"Bearer {apiKey}");
                return Task.CompletedTask;
            });
            var plain = server.Scheme == Uri.UriSchemeHttp;
            options.Credentials = ChannelCredentials.Create(plain ? ChannelCredentials.Insecure : ChannelCredentials.SecureSsl, key);

            // Over http:// the key goes in clear text (README, "Who may call the API"): a server
            // reached beyond one machine takes a certificate and https://.
            options.UnsafeUseInsecureChannelCallCredentials = plain;
        }

        return GrpcChannel.ForAddress(server, options);
    }
}

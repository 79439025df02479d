using Grpc.Core;
using Grpc.Net.Client;

namespace Customer360.LoadTest.Ingest;

/// <summary>Channels to a Customer360 server, sending the API key with every call when there is one.</summary>
internal static class ServerChannel
{
    public static GrpcChannel Open(Uri server, string? apiKey, HttpMessageHandler? handler = null)
    {
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

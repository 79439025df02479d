using System.CommandLine;

namespace Customer360.Cli.Infrastructure;

/// <summary>Options every command accepts, wherever they appear on the command line.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultServer = "http://127.0.0.1:5360";

    public const string ServerVariable = "C360_SERVER";

    public Option<string> Server { get; } = new("--server")
    {
        Description = $"Customer360 server address (plain http:// speaks HTTP/2 without TLS). Default: ${ServerVariable}, else {DefaultServer}",
        HelpName = "url",
        Recursive = true,
        DefaultValueFactory = _ => FromEnvironment(ServerVariable) ?? DefaultServer,
    };

    public const string ApiKeyVariable = "C360_API_KEY";

    // No DefaultValueFactory: help shows an option's default value, and a key taken from the
    // environment would be printed with it, on a screen shared with a customer or in a CI log.
    // The variable is read where the key is used (ApiKeyOf).
    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = $"API key sent with every call, for a server that requires one. Default: ${ApiKeyVariable}",
        HelpName = "key",
        Recursive = true,
    };

    /// <summary>The key given with --api-key, else the one in <see cref="ApiKeyVariable"/>, or null.</summary>
    public string? ApiKeyOf(ParseResult parseResult) => parseResult.GetValue(ApiKey) ?? FromEnvironment(ApiKeyVariable);

    public const string CaCertificateVariable = "C360_CA_CERT";

    public Option<string?> CaCertificate { get; } = new("--ca-cert")
    {
        Description = $"PEM file of the certificates an https:// server's certificate must chain to (a private CA, or the server's own self-signed one) instead of the system's. Default: ${CaCertificateVariable}",
        HelpName = "file",
        Recursive = true,
        DefaultValueFactory = _ => FromEnvironment(CaCertificateVariable),
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print proto JSON for scripts: one object per line",
        Recursive = true,
    };

    /// <summary>The variable's value, or null when it is unset or empty.</summary>
    private static string? FromEnvironment(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;

    public static Uri ParseServer(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UserInputException($"--server: '{text}' is not an http:// or https:// address");
        }

        return uri;
    }
}

using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Customer360.Clients;

/// <summary>
/// Trust for a server whose TLS certificate comes from a private CA, or is self-signed: the
/// certificates in a PEM file (--ca-cert) are the roots its chain must end in. The host name
/// must still match. Compiled into both clients, <c>c360</c> and <c>c360-load</c>.
/// </summary>
internal static class ServerTrust
{
    /// <summary>A handler trusting the roots in <paramref name="caCertificatePath"/>, or null for the system's trust.</summary>
    /// <exception cref="FormatException">The file cannot be read as PEM certificates; the message names --ca-cert.</exception>
    public static SocketsHttpHandler? HandlerFor(string? caCertificatePath) =>
        caCertificatePath is null ? null : Trusting(new SocketsHttpHandler(), caCertificatePath);

    /// <summary>Makes <paramref name="handler"/> trust the roots in <paramref name="caCertificatePath"/> instead of the system's.</summary>
    /// <exception cref="FormatException">The file cannot be read as PEM certificates; the message names --ca-cert.</exception>
    public static SocketsHttpHandler Trusting(SocketsHttpHandler handler, string caCertificatePath)
    {
        var roots = ReadRoots(caCertificatePath);
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, sent, errors) => Trusted(presented, sent, errors, roots),
        };
        return handler;
    }

    /// <summary>The certificates in a PEM file.</summary>
    /// <exception cref="FormatException">The file cannot be read, or holds no certificate; the message names --ca-cert.</exception>
    public static X509Certificate2Collection ReadRoots(string caCertificatePath)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caCertificatePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new FormatException($"--ca-cert: '{caCertificatePath}' could not be read as PEM certificates: {ex.Message}");
        }

        return roots.Count > 0 ? roots : throw new FormatException($"--ca-cert: '{caCertificatePath}' holds no PEM certificate");
    }

    /// <param name="sent">The chain the handshake built, whose extra store holds the issuers the server sent with its certificate.</param>
    private static bool Trusted(X509Certificate? presented, X509Chain? sent, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (presented is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        // A server certificate signed by an intermediate reaches the root through the
        // intermediates the server sent, as any TLS client's chain does.
        if (sent is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(sent.ChainPolicy.ExtraStore);
        }

        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}

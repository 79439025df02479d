using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Customer360.Cli.Infrastructure;

/// <summary>
/// Trust for a server whose TLS certificate comes from a private CA, or is self-signed: the
/// certificates in a PEM file (--ca-cert) are the roots its chain must end in. The host name
/// must still match.
/// </summary>
internal static class ServerTrust
{
    /// <summary>A handler trusting the roots in <paramref name="caCertificatePath"/>, or null for the system's trust.</summary>
    public static SocketsHttpHandler? HandlerFor(string? caCertificatePath)
    {
        if (caCertificatePath is null)
        {
            return null;
        }

        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(caCertificatePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new UserInputException($"--ca-cert: '{caCertificatePath}' could not be read as PEM certificates: {ex.Message}");
        }

        if (roots.Count == 0)
        {
            throw new UserInputException($"--ca-cert: '{caCertificatePath}' holds no PEM certificate");
        }

        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, presented, _, errors) => Trusted(presented, errors, roots),
            },
        };
    }

    private static bool Trusted(X509Certificate? presented, SslPolicyErrors errors, X509Certificate2Collection roots)
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
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}

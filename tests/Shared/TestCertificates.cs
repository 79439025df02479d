using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Customer360.Testing;

/// <summary>Self-signed server certificates made in the test, for 127.0.0.1 and localhost, and the settings that give them to the server.</summary>
internal static class TestCertificates
{
    public static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        return ServerRequest(key).CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>A request for a server certificate for 127.0.0.1 and localhost, with <paramref name="key"/>.</summary>
    private static CertificateRequest ServerRequest(RSA key)
    {
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        return request;
    }

    /// <summary>
    /// A private CA as issuers usually run one: a root, an intermediate it signed, and a server
    /// certificate for 127.0.0.1 and localhost the intermediate signed (with its key).
    /// </summary>
    public static (X509Certificate2 Root, X509Certificate2 Intermediate, X509Certificate2 Server) PrivateCaChain()
    {
        var from = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var rootKey = RSA.Create(2048);
        var rootRequest = new CertificateRequest("CN=Customer360 Test Root", rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var root = rootRequest.CreateSelfSigned(from, from.AddDays(3));

        using var intermediateKey = RSA.Create(2048);
        var intermediateRequest = new CertificateRequest("CN=Customer360 Test Intermediate", intermediateKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var intermediatePublic = intermediateRequest.Create(root, from, from.AddDays(2), [1]);
        var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);

        using var serverKey = RSA.Create(2048);
        var serverRequest = ServerRequest(serverKey);
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        using var serverPublic = serverRequest.Create(intermediate, from, from.AddDays(1), [2]);
        return (root, intermediate, serverPublic.CopyWithPrivateKey(serverKey));
    }

    /// <summary>Writes the certificate and its key as PEM files in <paramref name="folder"/>: the server's settings for them.</summary>
    public static Dictionary<string, string?> WritePem(X509Certificate2 certificate, string folder)
    {
        var (certificatePath, keyPath) = (Path.Combine(folder, "server.crt"), Path.Combine(folder, "server.key"));
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return new() { ["Customer360:Grpc:CertificatePath"] = certificatePath, ["Customer360:Grpc:CertificateKeyPath"] = keyPath };
    }
}

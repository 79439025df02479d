using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Customer360.Server.Hosting;

/// <summary>
/// The server's TLS certificate as its files ("Customer360:Grpc:CertificatePath", with
/// <c>CertificateKeyPath</c> and <c>CertificatePassword</c>) hold it now. Kestrel asks for it at
/// each handshake, so a renewed certificate (certbot, cert-manager) serves new connections
/// without a restart, and connections already open keep theirs. The files are read again by
/// <see cref="Refresh"/>, every few seconds (<see cref="ServerCertificateReloader"/>): polling
/// their content rather than a file watcher, since Kubernetes replaces a mounted secret by
/// swapping a symbolic link to a directory (<c>..data</c>), which inotify never reports on the
/// files themselves. Kestrel reloads certificates only from its own configuration section, not
/// from files that change under the same settings, hence this class.
/// </summary>
public sealed partial class ServerCertificate
{
    private const string Setting = "Customer360:Grpc:CertificatePath";

    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    private readonly GrpcEndpointOptions _settings;

    private volatile InUse _inUse;

    // The files' content as last read, taken or not: a change refused is not tried, nor
    // reported, again until the files change once more.
    private byte[] _lastRead;

    private int _refusedChanges;

    // Why the files could not be read at the last poll, if they could not: files missing for a
    // while (a secret being replaced, a renewal in progress) are reported once, not at every poll.
    private string? _unreadable;

    private ServerCertificate(GrpcEndpointOptions settings, InUse inUse)
    {
        _settings = settings;
        _inUse = inUse;
        _lastRead = inUse.Fingerprint;
    }

    /// <summary>A certificate and what a handshake needs of it, built once rather than at each handshake.</summary>
    private sealed record InUse(X509Certificate2 Certificate, SslStreamCertificateContext Context, byte[] Fingerprint);

    /// <summary>The certificate new connections get.</summary>
    public X509Certificate2 Certificate => _inUse.Certificate;

    /// <summary>How many changes of the files could not be read as a certificate with its key, and were left for the next change.</summary>
    public int RefusedChanges => Volatile.Read(ref _refusedChanges);

    /// <summary>What a handshake is given: the certificate in use, as it is at this handshake.</summary>
    public SslServerAuthenticationOptions HandshakeOptions() => new() { ServerCertificateContext = _inUse.Context };

    /// <summary>
    /// The certificate the settings name, or null for none. Fails naming the setting when the
    /// file cannot be read or holds no private key, or when a key or password is given without
    /// a certificate: at start-up, a bad certificate stops the server rather than leave it
    /// without one.
    /// </summary>
    public static ServerCertificate? Load(GrpcEndpointOptions settings)
    {
        if (string.IsNullOrWhiteSpace(settings.CertificatePath))
        {
            // A key or a password without its certificate is a certificate gone missing (a secret
            // not mounted, a variable that came out empty), not a choice to go without TLS: the
            // endpoint would take API keys in the clear.
            var orphan = !string.IsNullOrWhiteSpace(settings.CertificateKeyPath) ? "Customer360:Grpc:CertificateKeyPath"
                : !string.IsNullOrEmpty(settings.CertificatePassword) ? "Customer360:Grpc:CertificatePassword"
                : null;
            return orphan is null
                ? null
                : throw new InvalidOperationException(
                    $"{orphan} is given without {Setting}: the endpoint would speak HTTP/2 without TLS; give the certificate, or remove {orphan}");
        }

        var files = Read(settings);
        return new ServerCertificate(settings, Open(settings, files));
    }

    /// <summary>
    /// Reads the files again, and takes the certificate they hold if they changed. Files that
    /// cannot be read as a certificate with its key (caught half-written, a key that does not
    /// match) are logged and left: the certificate in use stays, and they are tried again when
    /// they next change. Files that cannot be read at all (missing, not allowed) are reported
    /// once, until they can be read again.
    /// </summary>
    /// <returns>Whether a new certificate was taken.</returns>
    public bool Refresh(ILogger logger, DateTimeOffset now)
    {
        Files files;
        try
        {
            files = Read(_settings);
            _unreadable = null;
        }
        catch (Exception ex)
        {
            // The certificate in use stays. The same problem again is not a change.
            if (ex.Message != _unreadable)
            {
                _unreadable = ex.Message;
                Interlocked.Increment(ref _refusedChanges);
                LogChangeRefused(logger, ex.Message, _inUse.Certificate.Thumbprint);
            }

            return false;
        }

        try
        {
            if (files.Fingerprint.AsSpan().SequenceEqual(_lastRead))
            {
                return false;
            }

            _lastRead = files.Fingerprint;
            if (files.Fingerprint.AsSpan().SequenceEqual(_inUse.Fingerprint))
            {
                // Back to the files in use after a refused change: nothing to take.
                return false;
            }

            // The certificate replaced is left to the garbage collector rather than disposed: a
            // handshake that was given it a moment ago may still be using it.
            _inUse = Open(_settings, files);
            LogReloaded(logger, _settings.CertificatePath!);
            LogValidity(logger, now);
            return true;
        }
        catch (Exception ex)
        {
            // Whatever went wrong, the certificate in use stays, and serving goes on.
            Interlocked.Increment(ref _refusedChanges);
            LogChangeRefused(logger, ex.Message, _inUse.Certificate.Thumbprint);
            return false;
        }
    }

    /// <summary>
    /// Says when the certificate in use expires (information), or warns that it has expired or
    /// is not valid yet: clients refuse it either way.
    /// </summary>
    public void LogValidity(ILogger logger, DateTimeOffset now)
    {
        var certificate = _inUse.Certificate;
        var (notBefore, notAfter) = (new DateTimeOffset(certificate.NotBefore.ToUniversalTime()), new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));
        if (now > notAfter)
        {
            LogExpired(logger, certificate.Subject, certificate.Thumbprint, notAfter);
        }
        else if (now < notBefore)
        {
            LogNotYetValid(logger, certificate.Subject, certificate.Thumbprint, notBefore);
        }
        else
        {
            LogInUse(logger, certificate.Subject, certificate.Thumbprint, notAfter);
        }
    }

    /// <summary>The files' bytes, read once: what is hashed is what is parsed, even should they change meanwhile.</summary>
    private sealed record Files(byte[] Certificate, byte[]? Key, byte[] Fingerprint);

    private static Files Read(GrpcEndpointOptions settings)
    {
        try
        {
            var certificate = File.ReadAllBytes(settings.CertificatePath!);
            var key = string.IsNullOrWhiteSpace(settings.CertificateKeyPath) ? null : File.ReadAllBytes(settings.CertificateKeyPath);
            var fingerprint = SHA256.HashData(certificate).Concat(SHA256.HashData(key ?? [])).ToArray();
            return new Files(certificate, key, fingerprint);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(settings, ex);
        }
    }

    private static InUse Open(GrpcEndpointOptions settings, Files files)
    {
        X509Certificate2 certificate;
        var issuers = new X509Certificate2Collection();
        try
        {
            var path = settings.CertificatePath!;
            var pkcs12 = path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
            if (pkcs12)
            {
                certificate = X509CertificateLoader.LoadPkcs12(files.Certificate, settings.CertificatePassword);
                issuers.AddRange(X509CertificateLoader.LoadPkcs12Collection(files.Certificate, settings.CertificatePassword));
            }
            else
            {
                // Without a key file, the key is looked for in the certificate's own file.
                var certificatePem = Encoding.UTF8.GetString(files.Certificate);
                var keyPem = files.Key is null ? certificatePem : Encoding.UTF8.GetString(files.Key);
                certificate = settings.CertificatePassword is { Length: > 0 } password
                    ? X509Certificate2.CreateFromEncryptedPem(certificatePem, keyPem, password)
                    : X509Certificate2.CreateFromPem(certificatePem, keyPem);
                issuers.ImportFromPem(certificatePem);
            }
        }
        catch (CryptographicException ex)
        {
            throw Unreadable(settings, ex);
        }

        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException(
                $"{Setting}: '{settings.CertificatePath}' holds no private key (a PEM certificate takes its key in Customer360:Grpc:CertificateKeyPath)");
        }

        // Clients refuse a certificate whose extended key usage leaves out server
        // authentication (a client certificate given by mistake). Kestrel checks this for a
        // certificate it is given, not for one asked for at each handshake, so it is done here.
        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } usage
            && !usage.EnhancedKeyUsages.Cast<Oid>().Any(oid => oid.Value == ServerAuthentication))
        {
            throw new InvalidOperationException(
                $"{Setting}: '{settings.CertificatePath}' is not for server authentication (its extended key usage leaves out {ServerAuthentication}); give the server's certificate");
        }

        // The other certificates in the file (a "full chain" PEM as certbot or cert-manager
        // writes it, or a PKCS#12 bundle) are the issuers that clients are sent with it: a
        // client that knows only the root can build the chain to it. offline: false, as Kestrel
        // builds it from a certificate it is given.
        var chain = new X509Certificate2Collection(issuers.Where(c => c.Thumbprint != certificate.Thumbprint).ToArray());
        return new InUse(certificate, SslStreamCertificateContext.Create(certificate, chain, offline: false), files.Fingerprint);
    }

    private static InvalidOperationException Unreadable(GrpcEndpointOptions settings, Exception ex) =>
        new($"{Setting}: '{settings.CertificatePath}' could not be read as a certificate with its private key: {ex.Message}", ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS certificate {Subject} ({Thumbprint}) in use, valid until {NotAfter:u}")]
    private static partial void LogInUse(ILogger logger, string subject, string thumbprint, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS certificate {Subject} ({Thumbprint}) expired at {NotAfter:u}: clients will refuse it; renew it")]
    private static partial void LogExpired(ILogger logger, string subject, string thumbprint, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS certificate {Subject} ({Thumbprint}) is not valid before {NotBefore:u}: clients will refuse it until then")]
    private static partial void LogNotYetValid(ILogger logger, string subject, string thumbprint, DateTimeOffset notBefore);

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS certificate reloaded from {Path}; new connections get it")]
    private static partial void LogReloaded(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The TLS certificate's files changed but were not taken, the certificate in use ({Thumbprint}) stays until they change again: {Problem}")]
    private static partial void LogChangeRefused(ILogger logger, string problem, string thumbprint);
}

/// <summary>
/// Reads the certificate's files again every <see cref="GrpcEndpointOptions.CertificateReloadInterval"/>,
/// and says at start-up when the certificate expires.
/// </summary>
public sealed class ServerCertificateReloader(
    ServerCertificate certificate, TimeSpan interval, TimeProvider clock, ILogger<ServerCertificate> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        certificate.LogValidity(logger, clock.GetUtcNow());
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            certificate.Refresh(logger, clock.GetUtcNow());
        }
    }
}

using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Customer360.Server.Hosting;
using Customer360.Testing;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// A certificate renewed on disk while the server runs: new TLS handshakes get it, connections
/// already open keep theirs, and files caught half-written leave the certificate in use serving.
/// Real files, a real Kestrel endpoint, real handshakes.
/// </summary>
public sealed class CertificateReloadTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ARenewedCertificateServesNewConnectionsAndAHalfWrittenOneLeavesTheOldOneServing()
    {
        var folder = ScratchCleanup.NewFolder();
        using var a = TestCertificates.SelfSigned();
        using var b = TestCertificates.SelfSigned();
        using var c = TestCertificates.SelfSigned();
        var settings = TestCertificates.WritePem(a, folder);
        settings["Customer360:Grpc:CertificateReloadInterval"] = "00:00:00.200";
        await using var server = await TestServer.StartAsync(settings: settings);
        var port = server.Address.Port;
        var reloading = server.Services.GetRequiredService<ServerCertificate>();
        var presentedToFirst = new List<string>();
        using var first = Channel(port, presentedToFirst);
        await new Health.HealthClient(first).CheckAsync(new HealthCheckRequest());

        TestCertificates.WritePem(b, folder);
        await WaitUntilPresentedAsync(port, b);
        // The connection opened before the renewal carries on, with the certificate it was given.
        var stillServed = await new Health.HealthClient(first).CheckAsync(new HealthCheckRequest());

        // A renewal caught half-way: C's certificate is there, its key not yet (B's is).
        var refusedBefore = reloading.RefusedChanges;
        File.WriteAllText(settings["Customer360:Grpc:CertificatePath"]!, c.ExportCertificatePem());
        await WaitUntilAsync(() => Task.FromResult(reloading.RefusedChanges > refusedBefore), "the half-written certificate to be read");
        var duringRenewal = await PresentedAsync(port);
        File.WriteAllText(settings["Customer360:Grpc:CertificateKeyPath"]!, c.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        await WaitUntilPresentedAsync(port, c);

        Assert.Equal([a.Thumbprint], presentedToFirst);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, stillServed.Status);
        Assert.Equal(b.Thumbprint, duringRenewal);
    }

    [Fact]
    public async Task ACertificateMountedAsAKubernetesSecretIsFollowedThroughTheSwappedLink()
    {
        var folder = ScratchCleanup.NewFolder();
        using var a = TestCertificates.SelfSigned();
        using var b = TestCertificates.SelfSigned();
        SwapSecret(folder, "..2026_01_01_v1", a);
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Customer360:Grpc:CertificatePath"] = Path.Combine(folder, "tls.crt"),
            ["Customer360:Grpc:CertificateKeyPath"] = Path.Combine(folder, "tls.key"),
            ["Customer360:Grpc:CertificateReloadInterval"] = "00:00:00.200",
        });
        var before = await PresentedAsync(server.Address.Port);

        SwapSecret(folder, "..2026_03_01_v2", b);
        await WaitUntilPresentedAsync(server.Address.Port, b);

        Assert.Equal(a.Thumbprint, before);
    }

    [Fact]
    public void TheCertificateInUseIsLoggedWithItsExpiryAndWarnedOfWhenExpiredOrNotYetValid()
    {
        var folder = ScratchCleanup.NewFolder();
        using var certificate = TestCertificates.SelfSigned();
        var loaded = ServerCertificate.Load(new GrpcEndpointOptions
        {
            CertificatePath = Path.Combine(folder, "server.crt"),
            CertificateKeyPath = TestCertificates.WritePem(certificate, folder)["Customer360:Grpc:CertificateKeyPath"],
        })!;
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var log = new ListLogger();

        loaded.LogValidity(log, notAfter.AddDays(-1));
        loaded.LogValidity(log, notAfter.AddSeconds(1));
        loaded.LogValidity(log, notBefore.AddSeconds(-1));

        Assert.Collection(
            log.Entries,
            valid => Assert.Equal((LogLevel.Information, $"TLS certificate CN=localhost ({certificate.Thumbprint}) in use, valid until {notAfter:u}"), valid),
            expired => Assert.Equal((LogLevel.Warning, $"TLS certificate CN=localhost ({certificate.Thumbprint}) expired at {notAfter:u}: clients will refuse it; renew it"), expired),
            early => Assert.Equal((LogLevel.Warning, $"TLS certificate CN=localhost ({certificate.Thumbprint}) is not valid before {notBefore:u}: clients will refuse it until then"), early));
    }

    [Fact]
    public void FilesMissingForAWhileAreReportedOnceNotAtEveryPoll()
    {
        var folder = ScratchCleanup.NewFolder();
        using var certificate = TestCertificates.SelfSigned();
        var certificatePath = Path.Combine(folder, "server.crt");
        var loaded = ServerCertificate.Load(new GrpcEndpointOptions
        {
            CertificatePath = certificatePath,
            CertificateKeyPath = TestCertificates.WritePem(certificate, folder)["Customer360:Grpc:CertificateKeyPath"],
        })!;
        var content = File.ReadAllBytes(certificatePath);
        var log = new ListLogger();
        var now = DateTimeOffset.UtcNow;

        // Gone for three polls (a secret being replaced): one warning.
        File.Delete(certificatePath);
        var whileGone = Enumerable.Range(0, 3).Select(_ => loaded.Refresh(log, now)).ToList();
        var warned = log.Entries.ToList();

        // Back as it was: nothing to say. Gone again later: said again, once.
        File.WriteAllBytes(certificatePath, content);
        var back = loaded.Refresh(log, now);
        File.Delete(certificatePath);
        loaded.Refresh(log, now);
        loaded.Refresh(log, now);

        Assert.Equal([false, false, false], whileGone);
        Assert.False(back);
        var warning = Assert.Single(warned);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains(certificatePath, warning.Message, StringComparison.Ordinal);
        Assert.Equal(2, log.Entries.Count);
        Assert.Equal(2, loaded.RefusedChanges);
        Assert.Equal(certificate.Thumbprint, loaded.Certificate.Thumbprint);
    }

    [Fact]
    public void AReloadIntervalUnderATenthOfASecondStopsTheStartNamingTheSetting()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Customer360:Grpc:CertificateReloadInterval"] = "00:00:00.050" });

        var refused = Assert.Throws<InvalidOperationException>(() => builder.AddCustomer360Server());

        Assert.Equal("Customer360:Grpc:CertificateReloadInterval must be at least 00:00:00.100, got 00:00:00.0500000", refused.Message);
    }

    private static void SwapSecret(string folder, string version, X509Certificate2 certificate) =>
        KubernetesVolume.Publish(folder, version, new Dictionary<string, string>
        {
            ["tls.crt"] = certificate.ExportCertificatePem(),
            ["tls.key"] = certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem(),
        });

    /// <summary>A channel to the server that accepts whatever certificate it presents, and notes each one's thumbprint.</summary>
    private static GrpcChannel Channel(int port, List<string> presented) =>
        GrpcChannel.ForAddress($"https://127.0.0.1:{port}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions
                {
                    RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    {
                        lock (presented)
                        {
                            presented.Add(certificate!.GetCertHashString());
                        }

                        return true;
                    },
                },
            },
        });

    /// <summary>The thumbprint of the certificate a new connection is given.</summary>
    private static async Task<string> PresentedAsync(int port)
    {
        var presented = new List<string>();
        using var channel = Channel(port, presented);
        await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        return Assert.Single(presented);
    }

    private static Task WaitUntilPresentedAsync(int port, X509Certificate2 certificate) =>
        WaitUntilAsync(async () => await PresentedAsync(port) == certificate.Thumbprint, $"new connections to get {certificate.Thumbprint}");

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Waited in vain for {what}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>What was logged, formatted.</summary>
    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}

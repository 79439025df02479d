using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Customer360.Api.V1;
using Customer360.Server.Hosting;
using Customer360.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// The gRPC endpoint over TLS with a certificate from the settings (PKCS#12, or PEM with its
/// key): a client that trusts the certificate is served, one without TLS is not.
/// </summary>
public sealed class TlsTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WithACertificateTheEndpointSpeaksTlsOnly(bool pkcs12)
    {
        var folder = ScratchCleanup.NewFolder();
        using var certificate = TestCertificates.SelfSigned();
        var settings = pkcs12 ? WritePkcs12(certificate, folder) : TestCertificates.WritePem(certificate, folder);
        await using var server = await TestServer.StartAsync(settings: settings);
        var port = server.Address.Port;

        using var trusting = GrpcChannel.ForAddress($"https://127.0.0.1:{port}", new GrpcChannelOptions { HttpHandler = Trusting(certificate) });
        using var plain = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        var id = NewCustomerId("tls");

        var ack = await new CustomerService.CustomerServiceClient(trusting).RecordTouchpointAsync(Record(Purchase(id, 10m)));
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await new CustomerService.CustomerServiceClient(plain).GetCustomerAsync(new GetCustomerRequest { CustomerId = id }));

        Assert.Equal(AckStatus.Accepted, ack.Status);
        Assert.Equal("https", server.Address.Scheme);
        Assert.NotEqual(StatusCode.OK, refused.StatusCode);
        Assert.NotEqual(StatusCode.NotFound, refused.StatusCode);
    }

    [Fact]
    public async Task TheCliTrustsTheCertificatesItIsGivenAndNoOthers()
    {
        var folder = ScratchCleanup.NewFolder();
        using var certificate = TestCertificates.SelfSigned();
        using var stranger = TestCertificates.SelfSigned();
        var settings = TestCertificates.WritePem(certificate, folder);
        var strangerPem = Path.Combine(folder, "stranger.crt");
        File.WriteAllText(strangerPem, stranger.ExportCertificatePem());
        await using var server = await TestServer.StartAsync(settings: settings);
        var address = $"https://127.0.0.1:{server.Address.Port}";
        var id = NewCustomerId("tls-cli");
        await new CustomerService.CustomerServiceClient(GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = Trusting(certificate) }))
            .RecordTouchpointAsync(Record(Purchase(id, 10m)));

        var (trusted, view, error) = await CliProcess.RunAsync("get", id, "--server", address, "--ca-cert", settings["Customer360:Grpc:CertificatePath"]!, "--json");
        var (untrusted, _, _) = await CliProcess.RunAsync("get", id, "--server", address, "--json");
        var (otherCa, _, _) = await CliProcess.RunAsync("get", id, "--server", address, "--ca-cert", strangerPem, "--json");

        Assert.True(trusted == 0, error);
        Assert.Contains(id, view, StringComparison.Ordinal);
        Assert.NotEqual(0, untrusted);
        Assert.NotEqual(0, otherCa);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ACertificateAnIntermediateSignedIsSentWithItSoThatAClientTrustingTheRootIsServed(bool pkcs12)
    {
        // A private CA's root signed an intermediate, which signed the server's certificate; the
        // file holds the certificate and the intermediate (certbot's fullchain.pem, a PKCS#12
        // bundle). c360 is given only the root, as a client is given a CA's root.
        var folder = ScratchCleanup.NewFolder();
        var (root, intermediate, certificate) = TestCertificates.PrivateCaChain();
        using var disposeRoot = root;
        using var disposeIntermediate = intermediate;
        using var disposeCertificate = certificate;
        using var issuer = X509CertificateLoader.LoadCertificate(intermediate.RawData);
        Dictionary<string, string?> settings;
        if (pkcs12)
        {
            var path = Path.Combine(folder, "server.pfx");
            File.WriteAllBytes(path, new X509Certificate2Collection { certificate, issuer }.Export(X509ContentType.Pfx, "changeit")!);
            settings = new() { ["Customer360:Grpc:CertificatePath"] = path, ["Customer360:Grpc:CertificatePassword"] = "changeit" };
        }
        else
        {
            settings = TestCertificates.WritePem(certificate, folder);
            File.AppendAllText(settings["Customer360:Grpc:CertificatePath"]!, "\n" + issuer.ExportCertificatePem() + "\n");
        }

        var rootPem = Path.Combine(folder, "root.crt");
        File.WriteAllText(rootPem, root.ExportCertificatePem());
        await using var server = await TestServer.StartAsync(settings: settings);

        var (exitCode, output, error) = await CliProcess.RunAsync("segments", "--server", $"https://127.0.0.1:{server.Address.Port}", "--ca-cert", rootPem);

        Assert.True(exitCode == 0, $"c360 exited with {exitCode}: {error}\n{output}");
        Assert.Contains("tier:platinum", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ACertificateThatCannotBeReadStopsTheStartNamingTheSetting()
    {
        var folder = ScratchCleanup.NewFolder();
        using var certificate = TestCertificates.SelfSigned();
        var withoutKey = Path.Combine(folder, "server.crt");
        File.WriteAllText(withoutKey, certificate.ExportCertificatePem());

        var missing = Assert.Throws<InvalidOperationException>(() => Build(Path.Combine(folder, "absent.pfx")));
        var keyless = Assert.Throws<InvalidOperationException>(() => Build(withoutKey));

        Assert.StartsWith("Customer360:Grpc:CertificatePath: ", missing.Message, StringComparison.Ordinal);
        Assert.StartsWith("Customer360:Grpc:CertificatePath: ", keyless.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AClientCertificateGivenAsTheServersStopsTheStartNamingTheSetting()
    {
        var folder = ScratchCleanup.NewFolder();
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=till-042", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var clientOnly = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var settings = TestCertificates.WritePem(clientOnly, folder);

        var refused = Assert.Throws<InvalidOperationException>(() => BuildWith(settings));

        Assert.Equal(
            $"Customer360:Grpc:CertificatePath: '{settings["Customer360:Grpc:CertificatePath"]}' is not for server authentication (its extended key usage leaves out 1.3.6.1.5.5.7.3.1); give the server's certificate",
            refused.Message);
    }

    [Theory]
    [InlineData("Customer360:Grpc:CertificateKeyPath", "/etc/customer360/server.key")]
    [InlineData("Customer360:Grpc:CertificatePassword", "changeit")]
    public void AKeyOrPasswordWithoutItsCertificateStopsTheStartRatherThanGoWithoutTls(string setting, string value)
    {
        // As a deployment whose certificate secret was not mounted, or whose variable came out empty, gives it.
        var refused = Assert.Throws<InvalidOperationException>(() => BuildWith(new() { ["Customer360:Grpc:CertificatePath"] = "", [setting] = value }));

        Assert.Equal(
            $"{setting} is given without Customer360:Grpc:CertificatePath: the endpoint would speak HTTP/2 without TLS; give the certificate, or remove {setting}",
            refused.Message);
        Assert.DoesNotContain(value, refused.Message, StringComparison.Ordinal);
    }

    /// <summary>A handler that trusts this test's own certificate, by its thumbprint alone.</summary>
    private static SocketsHttpHandler Trusting(X509Certificate2 certificate) => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString(),
        },
    };

    private static Dictionary<string, string?> WritePkcs12(X509Certificate2 certificate, string folder)
    {
        var path = Path.Combine(folder, "server.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, "changeit"));
        return new() { ["Customer360:Grpc:CertificatePath"] = path, ["Customer360:Grpc:CertificatePassword"] = "changeit" };
    }

    private static void Build(string certificatePath) => BuildWith(new() { ["Customer360:Grpc:CertificatePath"] = certificatePath });

    private static void BuildWith(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddCustomer360Server();
    }
}

using Customer360.LoadTest.Ingest;
using Customer360.Testing;

namespace Customer360.LoadTest.Tests;

/// <summary><c>ingest --ca-cert</c> against a server with a self-signed certificate: trusted only with it.</summary>
public sealed class CaCertIngestTests
{
    [Fact]
    public async Task WithTheServersCertificateARunOverTlsIsCleanAndVerifiedAndWithoutItItCannotConnect()
    {
        var folder = Directory.CreateTempSubdirectory("c360-load-tls-").FullName;
        try
        {
            using var certificate = TestCertificates.SelfSigned();
            var tls = TestCertificates.WritePem(certificate, folder);
            await using var server = await LoopbackServer.StartAsync(tls);
            var address = new Uri($"https://127.0.0.1:{server.Address.Port}");
            var settings = EngineOnlySettings.For(address, "tls") with { CaCertificate = tls["Customer360:Grpc:CertificatePath"], Touchpoints = 400 };

            var report = await new IngestBenchmark(settings, _ => { }).RunAsync(CancellationToken.None);
            var untrusted = await UntrustedProblemAsync(settings with { CaCertificate = null, RunId = settings.RunId + "-untrusted" });

            Assert.Equal(Uri.UriSchemeHttps, server.Address.Scheme);
            Assert.True(report.Engine.Clean, string.Join("; ", report.Engine.Problems));
            Assert.Equal(settings.Touchpoints, report.Engine.Accepted);
            Assert.True(report.Verification is { Passed: true, CustomersChecked: > 0 });
            Assert.Contains("SSL", untrusted, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void AFileThatHoldsNoCertificateIsRefusedNamingTheOption()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "not a certificate");

            var refused = Assert.Throws<ArgumentException>(() => IngestCommand.ReadableCaCert(file));

            Assert.Equal($"--ca-cert: '{file}' holds no PEM certificate", refused.Message);
            Assert.Null(IngestCommand.ReadableCaCert(null));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>What a run that does not trust the certificate ends with.</summary>
    private static async Task<string> UntrustedProblemAsync(IngestSettings settings)
    {
        try
        {
            var report = await new IngestBenchmark(settings, _ => { }).RunAsync(CancellationToken.None);
            Assert.Equal(0, report.Engine.Accepted);
            return string.Join("; ", report.Engine.Problems);
        }
        catch (Exception ex)
        {
            return ex.ToString();
        }
    }
}

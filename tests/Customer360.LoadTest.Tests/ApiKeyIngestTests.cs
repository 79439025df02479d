using System.Security.Cryptography;
using System.Text;
using Customer360.LoadTest.Ingest;
using Grpc.Core;

namespace Customer360.LoadTest.Tests;

/// <summary><c>ingest --api-key</c> against a server that requires keys: every call carries it.</summary>
public sealed class ApiKeyIngestTests
{
    private const string Key = "load-test-key-93c1";

    [Fact]
    public async Task WithTheKeyARunIsCleanAndVerifiedAndWithoutItTheServerRefusesIt()
    {
        await using var server = await LoopbackServer.StartAsync(new Dictionary<string, string?>
        {
            // The server is given the key's SHA-256 only (README, "Who may call the API").
            ["Customer360:Auth:Keys:load:Sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key))),
            ["Customer360:Auth:Keys:load:Roles"] = "till,agent",
        });
        var settings = EngineOnlySettings.For(server.Address, "keyed") with { ApiKey = Key, Touchpoints = 400 };

        var report = await new IngestBenchmark(settings, _ => { }).RunAsync(CancellationToken.None);
        var refused = await RunWithoutKeyAsync(settings with { ApiKey = null, RunId = settings.RunId + "-nokey" });

        Assert.True(report.Engine.Clean, string.Join("; ", report.Engine.Problems));
        Assert.Equal(settings.Touchpoints, report.Engine.Accepted);
        Assert.True(report.Verification is { Passed: true, CustomersChecked: > 0 });
        Assert.Contains("UNAUTHENTICATED", refused, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("ingest")]
    [InlineData("value-model")]
    public void HelpNamesTheKeysVariableAndNeverShowsTheKeyItHolds(string command)
    {
        // Help is shown on shared screens and kept in CI logs. No other test sets the variable,
        // and the tool reads it only where a run uses the key.
        var help = new StringWriter();
        Environment.SetEnvironmentVariable("C360_API_KEY", Key);
        try
        {
            LoadTestApplication.Create().Parse([command, "--help"]).Invoke(new System.CommandLine.InvocationConfiguration { Output = help });
        }
        finally
        {
            Environment.SetEnvironmentVariable("C360_API_KEY", null);
        }

        Assert.Contains("$C360_API_KEY", help.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Key, help.ToString(), StringComparison.Ordinal);
    }

    /// <summary>What a run without the key ends with: the refusal it fails with, or the problems its report lists.</summary>
    private static async Task<string> RunWithoutKeyAsync(IngestSettings settings)
    {
        try
        {
            var report = await new IngestBenchmark(settings, _ => { }).RunAsync(CancellationToken.None);
            Assert.Equal(0, report.Engine.Accepted);
            return string.Join("; ", report.Engine.Problems);
        }
        catch (RpcException ex)
        {
            return ex.StatusCode.ToString() + ": " + ex.Status.Detail;
        }
    }
}

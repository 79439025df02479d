using System.Globalization;
using Customer360.Api.V1;
using Customer360.Server.Security;
using Customer360.Testing;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// docker-compose.yml cannot be run here (no container engine), so its parts are checked
/// against the real thing: the scripts and project it names exist, and two server processes
/// started with exactly its silo environment, with container host names mapped to loopback,
/// form one cluster on PostgreSQL and serve the same customers.
/// </summary>
public sealed class DeploymentFileTests
{
    private const string ComposeConnectionString = "Host=postgres;Port=5432;Database=customer360;Username=customer360;Password=customer360";

    private static YamlMappingNode Services()
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(Path.Combine(TestStores.RepositoryRoot(), "docker-compose.yml"));
        yaml.Load(reader);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        return (YamlMappingNode)root["services"];
    }

    private static IEnumerable<string> Command(YamlMappingNode service) =>
        ((YamlSequenceNode)service["command"]).Children.Select(c => ((YamlScalarNode)c).Value!);

    [Fact]
    public void ComposeFileUsesTheRepositorysSchemaScriptAndServerProject()
    {
        var services = Services();
        var schema = Command((YamlMappingNode)services["schema"]).ToList();
        Assert.Equal("/deploy/postgres/apply-schema.sh", schema[1]);
        Assert.True(File.Exists(Path.Combine(TestStores.RepositoryRoot(), "deploy", "postgres", "apply-schema.sh")));
        Assert.Equal(ComposeConnectionString, schema[2]);

        var build = Command((YamlMappingNode)services["build"]).ToList();
        Assert.Contains("src/Customer360.Server", build);
        Assert.True(Directory.Exists(Path.Combine(TestStores.RepositoryRoot(), "src", "Customer360.Server")));
    }

    [Fact]
    public async Task TheComposeSilosFormOneClusterOnPostgres()
    {
        var services = Services();
        var serviceId = "compose-" + Guid.NewGuid().ToString("N");
        var test = await TestStores.SettingsAsync(TestStores.Postgres, serviceId);
        var servers = new List<ServerProcess>();
        try
        {
            foreach (var name in new[] { "silo1", "silo2" })
            {
                var environment = (YamlMappingNode)((YamlMappingNode)services[name])["environment"];
                var settings = environment.Children.ToDictionary(
                    kv => ((YamlScalarNode)kv.Key).Value!.Replace("__", ":", StringComparison.Ordinal),
                    kv => (string?)((YamlScalarNode)kv.Value).Value);
                Assert.Equal("postgres", settings["Customer360:Storage:Provider"]);
                Assert.Equal(ComposeConnectionString, settings["Customer360:Storage:ConnectionString"]);
                Assert.Equal(name, settings["Customer360:Silo:AdvertisedAddress"]);

                // As the container has them (listening on every interface), they pass the
                // server's check that an endpoint beyond loopback is not open by accident.
                var auth = new ConfigurationBuilder().AddInMemoryCollection(settings).Build()
                    .GetSection("Customer360:Auth").Get<AuthOptions>() ?? new AuthOptions();
                Assert.Null(ApiKeys.Validate(auth, settings["Customer360:Grpc:Address"]));

                // Only what a container provides differently: the database's address, a host
                // name for the silo (resolved as in the container), and ports free on this host.
                settings["Customer360:Storage:ConnectionString"] = test["Customer360:Storage:ConnectionString"];
                settings["Customer360:Silo:AdvertisedAddress"] = "localhost";
                settings["Customer360:Grpc:Address"] = "127.0.0.1";
                settings["Customer360:Grpc:Port"] = LoopbackHost.FreePort().ToString(CultureInfo.InvariantCulture);
                settings["Customer360:Silo:SiloPort"] = LoopbackHost.FreePort().ToString(CultureInfo.InvariantCulture);
                settings["Customer360:Silo:GatewayPort"] = LoopbackHost.FreePort().ToString(CultureInfo.InvariantCulture);
                settings["Customer360:Silo:ServiceId"] = serviceId;
                settings["Customer360:Silo:ClusterId"] = serviceId;
                servers.Add(await ServerProcess.StartAsync(settings));
            }

            await ClusterCrashTests.ActiveSilosReachAsync(test, serviceId, 2);
            var ids = Enumerable.Range(0, 20).Select(_ => NewCustomerId("compose")).ToArray();
            for (var i = 0; i < ids.Length; i++)
            {
                await servers[i % 2].Customers.RecordTouchpointAsync(Record(Purchase(ids[i], 5m + i)));
            }

            foreach (var id in ids)
            {
                var one = await servers[0].Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
                var other = await servers[1].Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
                Assert.Equal(one, other);
                Assert.Equal(1, one.Version);
            }
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }
}

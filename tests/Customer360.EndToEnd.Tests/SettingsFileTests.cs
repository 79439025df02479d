using System.Text.Json.Nodes;
using Customer360.Api.V1;
using Customer360.Server.Hosting;
using Customer360.Server.Security;
using Grpc.Core;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// The server reads the settings file next to it when it is started from a directory that has
/// none, as a service manager may start it; so the API keys in that file are never skipped. It
/// follows the file as it changes, even mounted from a Kubernetes secret.
/// </summary>
public sealed class SettingsFileTests
{
    [Fact]
    public async Task AServerStartedFromAnotherDirectoryReadsTheSettingsFileNextToIt()
    {
        // A copy of the server's files, whose settings file requires a key, started from an empty directory.
        var application = ScratchCleanup.NewFolder();
        var elsewhere = ScratchCleanup.NewFolder();
        try
        {
            CopyFolder(AppContext.BaseDirectory, application);
            var settingsFile = Path.Combine(application, "appsettings.json");
            var settings = JsonNode.Parse(await File.ReadAllTextAsync(settingsFile))!;
            settings["Customer360"]!["Auth"] = new JsonObject
            {
                ["Keys"] = new JsonObject { ["ops"] = new JsonObject { ["Sha256"] = ApiKeys.DigestOf("file-key-77c1"), ["Roles"] = "operator" } },
            };
            await File.WriteAllTextAsync(settingsFile, settings.ToJsonString());
            var data = new Dictionary<string, string?> { ["Customer360:Storage:DataPath"] = Path.Combine(elsewhere, "data") };

            await using var server = await ServerProcess.StartAsync(data, applicationDirectory: application, workingDirectory: elsewhere);
            var refused = await Assert.ThrowsAsync<RpcException>(async () =>
                await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = NewCustomerId("settings-file") }));

            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        }
        finally
        {
            ScratchCleanup.RemoveFolder(application);
            ScratchCleanup.RemoveFolder(elsewhere);
        }
    }

    [Fact]
    public async Task AKeyRemovedFromASettingsFileMountedAsAKubernetesSecretIsRefused()
    {
        // The settings file is a link into a secret's volume, whose new version the kubelet
        // makes current by swapping a link to a directory: nothing the file watcher would see.
        const string KeptKey = "mounted-kept-3d9a";
        const string RemovedKey = "mounted-removed-b217";
        var mounted = ScratchCleanup.NewFolder();
        KubernetesVolume.Publish(mounted, "..2026_01_01_v1", new Dictionary<string, string> { ["appsettings.json"] = KeysFile(("kept", KeptKey), ("removed", RemovedKey)) });
        await using var server = await StartInAsync(mounted);
        Task<StatusCode> LookUpWith(string key) => LookUpAsync(server, key);

        var before = await LookUpWith(RemovedKey);
        KubernetesVolume.Publish(mounted, "..2026_03_01_v2", new Dictionary<string, string> { ["appsettings.json"] = KeysFile(("kept", KeptKey)) });
        await UntilRefusedAsync(server, RemovedKey);

        // NOT_FOUND: let through to an unknown customer.
        Assert.Equal(StatusCode.NotFound, before);
        Assert.Equal(StatusCode.Unauthenticated, await LookUpWith(RemovedKey));
        Assert.Equal(StatusCode.NotFound, await LookUpWith(KeptKey));
    }

    [Fact]
    public async Task ASettingsFileEditedIntoInvalidJsonIsReportedAndTheKeysInUseStay()
    {
        const string KeptKey = "unreadable-kept-51c0";
        const string RemovedKey = "unreadable-removed-e83b";
        var folder = ScratchCleanup.NewFolder();
        var settingsFile = Path.Combine(folder, "appsettings.json");
        File.WriteAllText(settingsFile, KeysFile(("kept", KeptKey), ("removed", RemovedKey)));
        await using var server = await StartInAsync(folder);
        Task<StatusCode> LookUpWith(string key) => LookUpAsync(server, key);

        // An edit that removes a key but leaves the file broken: not taken, and said so.
        File.WriteAllText(settingsFile, KeysFile(("kept", KeptKey))[..^2]);
        await UntilReportedUnreadableAsync(server, "appsettings.json");
        var whileBroken = await LookUpWith(RemovedKey);

        // Mended, the edit is taken.
        File.WriteAllText(settingsFile, KeysFile(("kept", KeptKey)));
        await UntilRefusedAsync(server, RemovedKey);

        // NOT_FOUND: let through to an unknown customer.
        Assert.Equal(StatusCode.NotFound, whileBroken);
        Assert.Equal(StatusCode.Unauthenticated, await LookUpWith(RemovedKey));
        Assert.Equal(StatusCode.NotFound, await LookUpWith(KeptKey));
    }

    [Fact]
    public async Task ABrokenSettingsFileKeepsItsKeysWhenAnotherFileChanges()
    {
        const string BaseKey = "layered-base-7a21";
        const string EnvironmentKey = "layered-environment-c4f8";
        const string AddedKey = "layered-added-90be";
        var folder = ScratchCleanup.NewFolder();
        var baseFile = Path.Combine(folder, "appsettings.json");
        var environmentFile = Path.Combine(folder, "appsettings.Staging.json");
        File.WriteAllText(baseFile, KeysFile(("base", BaseKey)));
        File.WriteAllText(environmentFile, KeysFile(("environment", EnvironmentKey)));
        await using var server = await StartInAsync(folder, environment: "Staging");
        Task<StatusCode> LookUpWith(string key) => LookUpAsync(server, key);
        var environmentKeyAtFirst = await LookUpWith(EnvironmentKey);

        // The environment's file is broken by an edit, which is not taken; then the base file
        // gains a key, which is. The settings are rebuilt from both files, the broken one as it
        // last read.
        File.WriteAllText(environmentFile, KeysFile(("environment", EnvironmentKey))[..^2]);
        await UntilReportedUnreadableAsync(server, "appsettings.Staging.json");
        File.WriteAllText(baseFile, KeysFile(("base", BaseKey), ("added", AddedKey)));
        await UntilAnsweredAsync(server, AddedKey, StatusCode.NotFound);

        // NOT_FOUND: let through to an unknown customer.
        Assert.Equal(StatusCode.NotFound, environmentKeyAtFirst);
        Assert.Equal(StatusCode.NotFound, await LookUpWith(AddedKey));
        Assert.Equal(StatusCode.NotFound, await LookUpWith(BaseKey));
        Assert.Equal(StatusCode.NotFound, await LookUpWith(EnvironmentKey));
    }

    /// <summary>A server started in <paramref name="folder"/>, whose settings files it reads, in the given hosting environment if any.</summary>
    private static Task<ServerProcess> StartInAsync(string folder, string? environment = null)
    {
        var settings = new Dictionary<string, string?> { ["Customer360:Storage:DataPath"] = TestServer.NewDataPath() };
        if (environment is not null)
        {
            settings["DOTNET_ENVIRONMENT"] = environment;
            settings["ASPNETCORE_ENVIRONMENT"] = environment;
        }

        return ServerProcess.StartAsync(settings, workingDirectory: folder);
    }

    /// <summary>Waits until the server has logged that <paramref name="fileName"/> changed but could not be read.</summary>
    private static Task UntilReportedUnreadableAsync(ServerProcess server, string fileName) =>
        SyntheticCustomers.WaitForAsync(
            () => Task.FromResult(server.RecentOutput.Contains($"The settings file {fileName} changed but could not be read", StringComparison.Ordinal)),
            explain: () => server.RecentOutput);

    /// <summary>A look-up of an unknown customer with <paramref name="key"/>: NOT_FOUND when the key is let through.</summary>
    private static async Task<StatusCode> LookUpAsync(ServerProcess server, string key)
    {
        var answer = await Assert.ThrowsAsync<RpcException>(async () => await new CustomerService.CustomerServiceClient(
            KeyedServerFixture.Sending(server.Channel, $"Bearer {key}")).GetCustomerAsync(new GetCustomerRequest { CustomerId = NewCustomerId("settings-file") }));
        return answer.StatusCode;
    }

    /// <summary>Waits, for 20 s at most, until <paramref name="key"/> is refused; the test asserts it afterwards.</summary>
    private static Task UntilRefusedAsync(ServerProcess server, string key) => UntilAnsweredAsync(server, key, StatusCode.Unauthenticated);

    /// <summary>Waits, for 20 s at most, until a look-up with <paramref name="key"/> is answered <paramref name="status"/>; the test asserts it afterwards.</summary>
    private static async Task UntilAnsweredAsync(ServerProcess server, string key, StatusCode status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await LookUpAsync(server, key) != status && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
    }

    private static string KeysFile(params (string Name, string Key)[] keys)
    {
        var named = new JsonObject();
        foreach (var (name, key) in keys)
        {
            named[name] = new JsonObject { ["Sha256"] = ApiKeys.DigestOf(key), ["Roles"] = "operator" };
        }

        return new JsonObject { ["Customer360"] = new JsonObject { ["Auth"] = new JsonObject { ["Keys"] = named } } }.ToJsonString();
    }

    [Fact]
    public void TheWorkingDirectoryComesFirstAndAContentRootGivenIsLeftAsItIs()
    {
        var withSettings = ScratchCleanup.NewFolder();
        var without = ScratchCleanup.NewFolder();
        try
        {
            File.WriteAllText(Path.Combine(withSettings, "appsettings.json"), "{}");

            Assert.Null(ServerContentRoot.Choose([], withSettings, without));
            Assert.Equal(withSettings, ServerContentRoot.Choose([], without, withSettings));
            Assert.Null(ServerContentRoot.Choose(["--contentRoot=/srv/c360"], without, withSettings));
            Assert.Null(ServerContentRoot.Choose([], without, without));
        }
        finally
        {
            ScratchCleanup.RemoveFolder(withSettings);
            ScratchCleanup.RemoveFolder(without);
        }
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}

using Customer360.Server.Grpc;
using Microsoft.Extensions.DependencyInjection;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary><c>c360 watch</c> as a process against a real server.</summary>
public sealed class CliWatchTests
{
    [Fact]
    public async Task AWatchWhoseServerVanishedWithoutClosingTheConnectionEndsWithAnError()
    {
        // The server's machine lost power, or the network between dropped the route: nothing
        // closes the connection, and a screen that waits on it would show a stale customer for ever.
        await using var server = await TestServer.StartAsync();
        var id = NewCustomerId("cli-watch");
        await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 10m)));
        await using var route = await SilentRoute.ToAsync(server.Address);
        var open = server.Services.GetRequiredService<OpenWatches>();

        var watching = CliProcess.RunAsync(TimeSpan.FromMinutes(3), "watch", id, "--server", route.Address.ToString());
        await SyntheticCustomers.WaitForAsync(() => Task.FromResult(open.Open == 1 || watching.IsCompleted));
        route.GoSilent();
        var (exitCode, output, error) = await watching;

        Assert.True(exitCode == 2, $"c360 exited with {exitCode}: {error}\n{output}");
        Assert.StartsWith("error: ", error);
    }
}

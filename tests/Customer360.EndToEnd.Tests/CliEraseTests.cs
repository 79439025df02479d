using System.Text.Json;
using Customer360.Api.V1;
using Grpc.Core;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary><c>c360 erase</c> as a process against the test server: nothing without --yes, and a report of what went.</summary>
[Collection(ServerCollection.Name)]
public sealed class CliEraseTests(ServerFixture fixture)
{
    [Fact]
    public async Task EraseRefusesWithoutYesAndSendsNothing()
    {
        var id = NewCustomerId("cli-erase");
        await fixture.Server.Customers.RecordTouchpointAsync(Record(Purchase(id, 10m)));

        var (exitCode, output, error) = await CliProcess.RunAsync(["erase", id, "--server", fixture.Server.Address.ToString()]);

        Assert.True(exitCode == 1, $"c360 exited with {exitCode}: {error}\n{output}");
        Assert.Contains("--yes", error);
        Assert.Contains(id, error);
        var view = await fixture.Server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal(1, view.Aggregates.TouchpointCount);
    }

    [Fact]
    public async Task EraseWithYesSaysWhatWasRemovedAndWhatIsKept()
    {
        var id = NewCustomerId("cli-erase");
        await fixture.Server.Customers.RecordTouchpointAsync(Record(Purchase(id, 10m)));
        await fixture.Server.Customers.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = id, GivenName = "Ada" });

        var (exitCode, output, error) = await CliProcess.RunAsync(["erase", id, "--yes", "--server", fixture.Server.Address.ToString()]);

        Assert.True(exitCode == 0, $"c360 exited with {exitCode}: {error}\n{output}");
        Assert.Contains($"Erased customer {id} at ", output);
        Assert.Contains("2 log entries removed", output);
        Assert.Contains("Kept: the id and the erasure time", output);
        var gone = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);

        // Again, as a script would after a lost answer: done already, as JSON.
        var (againExit, againOutput, againError) = await CliProcess.RunAsync(["erase", id, "--yes", "--json", "--server", fixture.Server.Address.ToString()]);
        Assert.True(againExit == 0, $"c360 exited with {againExit}: {againError}\n{againOutput}");
        using var again = JsonDocument.Parse(againOutput);
        Assert.True(again.RootElement.GetProperty("alreadyErased").GetBoolean());

        // A customer never seen: the server's NOT_FOUND.
        var (unknownExit, _, unknownError) = await CliProcess.RunAsync(["erase", NewCustomerId("cli-erase-never"), "--yes", "--server", fixture.Server.Address.ToString()]);
        Assert.True(unknownExit == 2, $"c360 exited with {unknownExit}: {unknownError}");
        Assert.Contains("NOT_FOUND", unknownError);
    }
}

using Customer360.Api.V1;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary><c>c360 profile</c> as a process against the test server: what it sets and what it clears.</summary>
[Collection(ServerCollection.Name)]
public sealed class CliProfileTests(ServerFixture fixture)
{
    [Fact]
    public async Task ClearAddressRemovesTheAddressAndKeepsTheRest()
    {
        var id = NewCustomerId("cli-profile");
        var set = await RunAsync("profile", id, "--given-name", "Ada", "--address-line", "12 St James's Square", "--locality", "London", "--country", "gb");
        var withAddress = await fixture.Server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        var clear = await RunAsync("profile", id, "--clear-address");
        var after = await fixture.Server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        Assert.True(set.ExitCode == 0, set.Error);
        Assert.Equal("GB", withAddress.Profile.Address.CountryCode);
        Assert.True(clear.ExitCode == 0, clear.Error);
        Assert.Null(after.Profile.Address);
        Assert.Equal("Ada", after.Profile.GivenName);
        Assert.Equal(withAddress.Version + 1, after.Version);
    }

    [Fact]
    public async Task ClearAddressWithAnAddressPartIsRefusedAndChangesNothing()
    {
        var id = NewCustomerId("cli-profile");
        await fixture.Server.Customers.UpsertProfileAsync(new UpsertProfileRequest
        {
            CustomerId = id,
            Address = new PostalAddress { Locality = "London", CountryCode = "GB" },
        });

        var (exitCode, _, error) = await RunAsync("profile", id, "--clear-address", "--locality", "Paris");
        var after = await fixture.Server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        Assert.Equal(1, exitCode);
        Assert.Contains("--clear-address", error);
        Assert.Equal("London", after.Profile.Address.Locality);
        Assert.Equal(1, after.Version);
    }

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments) =>
        CliProcess.RunAsync([.. arguments, "--server", fixture.Server.Address.ToString()]);
}

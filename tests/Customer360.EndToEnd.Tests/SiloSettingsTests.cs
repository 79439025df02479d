using Customer360.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Customer360.EndToEnd.Tests;

/// <summary>The cluster and service ids a server is given, checked before it starts.</summary>
public sealed class SiloSettingsTests
{
    [Fact]
    public void TheDefaultsAndIdsUpToTheLimitAreUsable()
    {
        Assert.Null(new SiloOptions().Problem());
        Assert.Null(new SiloOptions { ClusterId = "eu-west", ServiceId = new string('s', SiloOptions.MaxIdLength) }.Problem());
    }

    [Theory]
    [InlineData("Customer360:Silo:ServiceId", "129 characters", "Customer360:Silo:ServiceId may have at most 128 characters, got 129")]
    [InlineData("Customer360:Silo:ClusterId", "", "Customer360:Silo:ClusterId must not be empty")]
    [InlineData("Customer360:Silo:ServiceId", "   ", "Customer360:Silo:ServiceId must not be empty")]
    [InlineData("Customer360:Silo:ServiceId", "with a NUL", "Customer360:Silo:ServiceId must not contain control characters")]
    [InlineData("Customer360:Silo:ClusterId", " customer360", "Customer360:Silo:ClusterId must not start or end with white space")]
    public void AnIdTheStoresCannotKeyByStopsTheStartNamingTheSetting(string setting, string value, string problem)
    {
        // Two ids are described rather than given, to keep the test's name readable.
        var id = value switch
        {
            "129 characters" => new string('s', SiloOptions.MaxIdLength + 1),
            "with a NUL" => "retail\0eu",
            _ => value,
        };
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection([new KeyValuePair<string, string?>(setting, id)]);

        var refused = Assert.Throws<InvalidOperationException>(() => builder.AddCustomer360Server());

        Assert.Equal(problem, refused.Message);
    }
}

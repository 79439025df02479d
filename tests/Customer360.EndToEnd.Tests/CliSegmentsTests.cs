using System.Text.Json;
using Customer360.Domain.Segments;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary><c>c360 segments</c> as a process against a server of its own, whose segments start empty.</summary>
public sealed class CliSegmentsTests
{
    [Fact]
    public async Task SegmentsAreListedInTheServersOrderTiersByRank()
    {
        await using var server = await TestServer.StartAsync();

        var (exitCode, output, error) = await CliProcess.RunAsync("segments", "--server", server.Address.ToString());

        Assert.True(exitCode == 0, $"c360 exited with {exitCode}: {error}\n{output}");
        var listed = output.Split('\n')
            .Select(line => SegmentId.All.FirstOrDefault(id => line.Contains($" {id} ", StringComparison.Ordinal)))
            .OfType<string>()
            .ToList();
        Assert.Equal(SegmentId.All, listed);
        Assert.Equal(["tier:platinum", "tier:gold", "tier:silver", "tier:bronze"], listed.Take(4));
    }

    [Fact]
    public async Task JsonGivesEveryFigureOfEverySegmentEvenWhenItIsZero()
    {
        await using var server = await TestServer.StartAsync();
        var id = NewCustomerId("cli-segments");
        await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 25m, DateTimeOffset.UtcNow.AddHours(-1), eventId: "order-1")));
        await Converged.SegmentsAsync(server.Segments, [await server.Customers.GetCustomerAsync(new() { CustomerId = id })]);

        var (exitCode, output, error) = await CliProcess.RunAsync("segments", "--server", server.Address.ToString(), "--json");

        Assert.True(exitCode == 0, $"c360 exited with {exitCode}: {error}\n{output}");
        using var reply = JsonDocument.Parse(output);
        var counts = reply.RootElement.GetProperty("segments").EnumerateArray()
            .ToDictionary(s => s.GetProperty("segmentId").GetString()!, s => s.GetProperty("memberCount").GetString());
        Assert.Equal(SegmentId.All.Order(StringComparer.Ordinal), counts.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("1", counts["channel:point_of_sale"]);
        Assert.Equal(SegmentId.All.Count - 2, counts.Values.Count(c => c == "0"));
    }
}

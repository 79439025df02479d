using System.Text.Json;
using System.Text.RegularExpressions;
using Customer360.Api.V1;
using Customer360.Contracts.Customers;
using Customer360.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// <c>c360 touch</c> as a process against a real server. When the answer is lost (the server
/// says UNAVAILABLE: retry), the touchpoint may have been recorded all the same; the command
/// says how to send the very same touchpoint again, which the server then counts once.
/// </summary>
public sealed partial class CliTouchTests
{
    [Fact]
    public async Task ATouchWhoseAnswerIsLostSaysHowToSendItAgainWithoutCountingItTwice()
    {
        var id = NewCustomerId("cli-touch");
        await using var server = await TestServer.StartAsync(services: services => services.AddSingleton<IIncomingGrainCallFilter>(new LostAnswer(id)));
        string[] touch = ["touch", "--customer", id, "--channel", "point_of_sale", "--kind", "purchase", "--amount", "250.00", "--server", server.Address.ToString()];

        var (exitCode, _, error) = await CliProcess.RunAsync(touch);
        Assert.True(exitCode == 2, $"c360 exited with {exitCode}: {error}");
        var again = SendAgain().Match(error);
        Assert.True(again.Success, $"c360 did not say how to send the touchpoint again: {error}");

        var (retryExit, retryOutput, retryError) = await CliProcess.RunAsync(
            [.. touch, "--event-id", again.Groups["id"].Value, "--at", again.Groups["at"].Value, "--json"]);
        Assert.True(retryExit == 0, $"c360 exited with {retryExit}: {retryError}\n{retryOutput}");
        using var ack = JsonDocument.Parse(retryOutput);
        Assert.Equal("ACK_STATUS_DUPLICATE", ack.RootElement.GetProperty("status").GetString());

        var view = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal((1L, "250.00"), (view.Aggregates.TouchpointCount, view.Aggregates.NetSpend.Amount));
    }

    [GeneratedRegex(@"--event-id (?<id>\S+) --at (?<at>\S+)")]
    private static partial Regex SendAgain();

    /// <summary>Records the customer's first touchpoint, then answers as if the store had gone before the answer.</summary>
    private sealed class LostAnswer(string customerId) : IIncomingGrainCallFilter
    {
        private int _lost;

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            await context.Invoke();
            if (context.InterfaceMethod?.Name == nameof(ICustomerGrain.RecordTouchpointAsync)
                && CustomerKeys.FromGrainKey(context.TargetId.Key.ToString()!) == customerId
                && Interlocked.Exchange(ref _lost, 1) == 0)
            {
                throw new CustomerStoreUnavailableException("the store went away before the answer");
            }
        }
    }
}

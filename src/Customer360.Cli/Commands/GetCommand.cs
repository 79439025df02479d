using System.CommandLine;
using Customer360.Api.V1;
using Customer360.Cli.Infrastructure;
using Customer360.Cli.Rendering;

namespace Customer360.Cli.Commands;

/// <summary><c>c360 get ID</c>: the customer's 360 view.</summary>
internal static class GetCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = new Argument<string>("id") { Description = "Customer id, e.g. C000123" };
        var recent = Options.RecentTouchpoints();
        var command = new Command("get", "Show a customer's 360 view: profile, aggregates, value, segments and recent touchpoints") { id, recent };
        command.SetHandler(global, async (parseResult, context) =>
        {
            var request = new GetCustomerRequest { CustomerId = parseResult.GetRequiredValue(id) };
            if (parseResult.GetValue(recent) is { } count)
            {
                request.RecentTouchpoints = count;
            }

            var view = await context.Customers.GetCustomerAsync(request, cancellationToken: context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(view);
            }
            else
            {
                CustomerViewRenderer.Write(context.Out, view);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}

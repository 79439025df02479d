using System.CommandLine;
using Customer360.Api.V1;
using Customer360.Cli.Infrastructure;
using Customer360.Cli.Mapping;
using Customer360.Cli.Rendering;
using Grpc.Core;
using Spectre.Console;

namespace Customer360.Cli.Commands;

/// <summary><c>c360 watch ID</c>: the customer's view, then every change as it happens.</summary>
internal static class WatchCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = new Argument<string>("id") { Description = "Customer id, e.g. C000123" };
        var full = new Option<bool>("--full") { Description = "Print the whole view after every change, not just what changed" };
        var recent = Options.RecentTouchpoints();
        var command = new Command("watch", "Show a customer's view, then what changes as it changes, until Ctrl-C; reconnects if the connection is lost") { id, full, recent };
        command.SetHandler(global, async (parseResult, context) =>
        {
            var request = new WatchCustomerRequest { CustomerId = parseResult.GetRequiredValue(id) };
            if (parseResult.GetValue(recent) is { } count)
            {
                request.RecentTouchpoints = count;
            }

            var showFull = parseResult.GetValue(full);
            CustomerView? previous = null;
            try
            {
                await ResumingWatch.RunAsync(
                    context,
                    cancellation => context.Customers.WatchCustomer(request, cancellationToken: cancellation),
                    view =>
                    {
                        // A watch opened again starts with the view as it is now, which the
                        // user may have seen already: only what is newer is shown.
                        if (previous is null || CustomerViewChanges.IsNewer(view, than: previous))
                        {
                            Show(context, previous, view, showFull);
                            previous = view;
                        }
                    });
            }
            catch (Exception ex) when (context.CancellationToken.IsCancellationRequested &&
                                       ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                // Ctrl-C is how a watch is meant to end.
                return ExitCodes.Ok;
            }

            if (!context.Json)
            {
                context.Out.MarkupLine("[grey]The server ended the watch.[/]");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Show(CliContext context, CustomerView? previous, CustomerView view, bool full)
    {
        if (context.Json)
        {
            context.WriteJson(view);
            return;
        }

        if (previous is null || full)
        {
            CustomerViewRenderer.Write(context.Out, view);
            return;
        }

        context.Out.MarkupLineInterpolated(
            $"[bold]version {view.Version}[/] [grey]{ProtoValues.Format(view.UpdatedAt)}[/]");
        foreach (var change in CustomerViewChanges.Describe(previous, view))
        {
            context.Out.MarkupLineInterpolated($"  {change}");
        }
    }
}

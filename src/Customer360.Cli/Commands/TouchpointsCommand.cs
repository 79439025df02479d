using System.CommandLine;
using Customer360.Api.V1;
using Customer360.Cli.Infrastructure;
using Customer360.Cli.Mapping;
using Customer360.Cli.Rendering;
using Spectre.Console;

namespace Customer360.Cli.Commands;

/// <summary><c>c360 touchpoints ID</c>: a customer's touchpoints, newest first, a page at a time.</summary>
internal static class TouchpointsCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = new Argument<string>("id") { Description = "Customer id, e.g. C000123" };
        var pageSize = new Option<int>("--page-size") { Description = "Touchpoints per page, 1..500 (server default 50)" };
        var pageToken = new Option<string>("--page-token") { Description = "Continue from a previous page" };
        var channels = Options.Enums("--channel", FriendlyNames.Channels, "Only this channel; may be repeated");
        var kinds = Options.Enums("--kind", FriendlyNames.Kinds, "Only this kind; may be repeated");
        var from = Options.Timestamp("--from", "Only touchpoints at or after this time");
        var to = Options.Timestamp("--to", "Only touchpoints before this time");
        var all = new Option<bool>("--all") { Description = "Follow page tokens to the last page" };

        var command = new Command("touchpoints", "List a customer's touchpoints, newest first")
        {
            id, pageSize, pageToken, channels, kinds, from, to, all,
        };
        command.SetHandler(global, async (parseResult, context) =>
        {
            var request = new ListTouchpointsRequest
            {
                CustomerId = parseResult.GetRequiredValue(id),
                PageSize = parseResult.GetValue(pageSize),
                PageToken = parseResult.GetValue(pageToken) ?? string.Empty,
                OccurredFrom = parseResult.GetValue(from),
                OccurredTo = parseResult.GetValue(to),
            };
            // The server takes each filter value once; "--channel web --channel web" means web.
            request.Channels.AddRange((parseResult.GetValue(channels) ?? []).Distinct());
            request.Kinds.AddRange((parseResult.GetValue(kinds) ?? []).Distinct());
            var followPages = parseResult.GetValue(all);

            while (true)
            {
                var page = await context.Customers.ListTouchpointsAsync(request, cancellationToken: context.CancellationToken);
                if (context.Json)
                {
                    context.WriteJson(page);
                }
                else
                {
                    context.Out.Write(TouchpointTable.Create(page.Touchpoints, context.Out.Profile.Width));
                }

                if (!followPages || page.NextPageToken.Length == 0)
                {
                    if (!context.Json && page.NextPageToken.Length > 0)
                    {
                        context.Out.MarkupLineInterpolated($"[grey]More: --page-token {page.NextPageToken}[/]");
                    }

                    return ExitCodes.Ok;
                }

                request.PageToken = page.NextPageToken;
            }
        });
        return command;
    }
}

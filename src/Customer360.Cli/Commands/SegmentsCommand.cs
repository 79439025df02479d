using System.CommandLine;
using Customer360.Api.V1;
using Customer360.Cli.Infrastructure;
using Customer360.Cli.Rendering;

namespace Customer360.Cli.Commands;

/// <summary><c>c360 segments</c>: every live segment with its figures.</summary>
internal static class SegmentsCommand
{
    public static Command Create(GlobalOptions global)
    {
        var command = new Command("segments", "List every segment with member count, spend and value");
        command.SetHandler(global, async (_, context) =>
        {
            var response = await context.Segments.ListSegmentsAsync(new ListSegmentsRequest(), cancellationToken: context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(response);
            }
            else
            {
                context.Out.Write(SegmentRenderer.List(response.Segments));
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}

using System.CommandLine;
using Customer360.Api.V1;
using Customer360.Cli.Infrastructure;
using Customer360.Cli.Rendering;
using Grpc.Core;

namespace Customer360.Cli.Commands;

/// <summary><c>c360 segment ID</c>: one segment's figures and its most valuable members.</summary>
internal static class SegmentCommand
{
    public static Command Create(GlobalOptions global)
    {
        var id = new Argument<string>("id") { Description = "Segment id as <dimension>:<value>, e.g. tier:gold or channel:web" };
        var top = new Option<int>("--top") { Description = "How many top members to show, 1..100 (server default 100)" };
        top.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 100)
            {
                result.AddError("--top must be between 1 and 100");
            }
        });
        var watch = new Option<bool>("--watch") { Description = "Keep printing the figures as they change, until Ctrl-C" };

        var command = new Command("segment", "Show one segment's figures and top members") { id, top, watch };
        command.SetHandler(global, async (parseResult, context) =>
        {
            var segmentId = parseResult.GetRequiredValue(id);
            var count = parseResult.GetValue(top);
            if (!parseResult.GetValue(watch))
            {
                Show(context, await context.Segments.GetSegmentAsync(
                    new GetSegmentRequest { SegmentId = segmentId, Top = count },
                    cancellationToken: context.CancellationToken));
                return ExitCodes.Ok;
            }

            using var call = context.Segments.WatchSegment(
                new WatchSegmentRequest { SegmentId = segmentId, Top = count },
                cancellationToken: context.CancellationToken);
            try
            {
                await foreach (var segment in call.ResponseStream.ReadAllAsync(context.CancellationToken))
                {
                    Show(context, segment);
                }
            }
            catch (Exception ex) when (context.CancellationToken.IsCancellationRequested &&
                                       ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                // Ctrl-C is how a watch is meant to end.
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Show(CliContext context, Segment segment)
    {
        if (context.Json)
        {
            context.WriteJson(segment);
        }
        else
        {
            SegmentRenderer.Write(context.Out, segment);
        }
    }
}

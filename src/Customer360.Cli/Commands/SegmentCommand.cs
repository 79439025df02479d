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
        var watch = new Option<bool>("--watch") { Description = "Keep printing the figures as they change, until Ctrl-C; reconnects if the connection is lost" };

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

            var request = new WatchSegmentRequest { SegmentId = segmentId, Top = count };
            Segment? previous = null;
            try
            {
                await ResumingWatch.RunAsync(
                    context,
                    cancellation => context.Segments.WatchSegment(request, cancellationToken: cancellation),
                    segment =>
                    {
                        if (previous is null || IsNewer(segment, than: previous))
                        {
                            Show(context, segment);
                            previous = segment;
                        }
                    });
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

    /// <summary>
    /// Whether <paramref name="segment"/> shows the user something <paramref name="than"/> did
    /// not. A segment loaded again (after a restart, on another silo) gets a new version with
    /// the same figures, and a watch opened again starts with the figures as they are: neither
    /// is news, nor is anything older than what was shown.
    /// </summary>
    private static bool IsNewer(Segment segment, Segment than)
    {
        if (segment.Version <= than.Version)
        {
            return false;
        }

        var figures = segment.Clone();
        figures.Version = than.Version;
        figures.UpdatedAt = than.UpdatedAt;
        return !figures.Equals(than);
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

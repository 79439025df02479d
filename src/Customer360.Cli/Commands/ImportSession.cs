using Customer360.Cli.Import;
using Customer360.Cli.Infrastructure;
using Customer360.Cli.Rendering;
using Grpc.Core;
using Spectre.Console;

namespace Customer360.Cli.Commands;

/// <summary>
/// What every import shares: a progress bar on standard error, the final tally, and an honest
/// report when Ctrl-C, a failure that would hit every record, or a touchpoint stream that breaks
/// its promise of one acknowledgement per message stops it part way.
/// </summary>
internal static class ImportSession
{
    public static async Task<int> RunAsync(
        CliContext context,
        int total,
        string description,
        ImportTally tally,
        Func<Action<ImportTally>?, Task> run,
        string acceptedLabel = "accepted",
        bool countsDuplicates = true)
    {
        var cancelled = false;
        Exception? stopped = null;
        try
        {
            await WithProgressAsync(context, total, description, run);
        }
        catch (Exception ex) when (context.CancellationToken.IsCancellationRequested &&
                                   ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            cancelled = true;
        }
        catch (Exception ex) when (ex is RpcException or ImportStreamException)
        {
            // A failure that would hit every record (the server down, the key refused), or a
            // stream the server ended before acknowledging all it was sent (or acknowledged out of
            // order): what was acknowledged before it is still reported, then the failure itself.
            stopped = ex;
        }

        if (context.Json)
        {
            context.JsonOut.WriteLine(ImportReport.ToJson(tally));
        }
        else
        {
            ImportReport.Write(context.Out, tally, acceptedLabel, countsDuplicates);
        }

        if (stopped is not null)
        {
            return CommandRunner.ServerFailed(context, stopped);
        }

        if (cancelled)
        {
            CommandRunner.Fail(context.Errors, $"cancelled after {tally.Processed:N0} of {total:N0} records; run the same import again to finish (records already applied are not applied twice)");
            return ExitCodes.Cancelled;
        }

        return tally.Clean ? ExitCodes.Ok : ExitCodes.PartialImport;
    }

    /// <summary>Scripts asking for JSON get no bar; people get one on standard error, keeping standard output for the result.</summary>
    private static async Task WithProgressAsync(CliContext context, int total, string description, Func<Action<ImportTally>?, Task> run)
    {
        if (context.Json)
        {
            await run(null);
            return;
        }

        await context.Errors.Progress()
            .AutoClear(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new RemainingTimeColumn(),
                new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(description, maxValue: Math.Max(total, 1));
                try
                {
                    await run(t => task.Value = t.Processed);
                    task.Value = task.MaxValue;
                }
                finally
                {
                    task.StopTask();
                }
            });
    }
}

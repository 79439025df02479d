using Customer360.Clients;
using Grpc.Core;
using Spectre.Console;

namespace Customer360.Cli.Infrastructure;

/// <summary>
/// A watch that outlives its connection. A screen watching a customer is left on a desk for
/// hours: when the server restarts or the connection is lost (the keep-alive pings went
/// unanswered), the watch is opened again, after 0.25 s, then twice as long each time up to
/// 10 s, with one line on standard error as it is lost and one as it is back. Only once the
/// watch has shown something: before that, every error ends the command as for any other call,
/// so that a mistyped address or a stopped server is reported at once instead of awaited.
/// Errors that no retry heals (NOT_FOUND, INVALID_ARGUMENT, UNAUTHENTICATED,
/// PERMISSION_DENIED, ...) end the command whenever they come.
/// </summary>
/// <remarks>
/// <para>
/// RESOURCE_EXHAUSTED as the watch is opened again is waited out too: after an outage every
/// screen reconnects at once, and a server may refuse some for a while (its
/// <c>MaxWatches</c>, or the key's rate limit). The wait is then at least what the server asked
/// for in <c>grpc-retry-pushback-ms</c>, up to the longest wait, so that a limit lifted early is
/// noticed.
/// </para>
/// <para>
/// A reopened watch starts again with the current value, which may be one already shown:
/// <c>show</c> is given every value the server sends and decides what is new to the user.
/// </para>
/// </remarks>
internal static class ResumingWatch
{
    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan LongestWait = RetryPushback.LongestWait;

    /// <summary>
    /// Runs the watch <paramref name="open"/> opens, passing each value to <paramref name="show"/>,
    /// until Ctrl-C (an <see cref="OperationCanceledException"/> or a CANCELLED
    /// <see cref="RpcException"/>), an error retrying does not heal (the <see cref="RpcException"/>),
    /// or the server ends the watch (returns).
    /// </summary>
    public static async Task RunAsync<T>(CliContext context, Func<CancellationToken, AsyncServerStreamingCall<T>> open, Action<T> show)
    {
        var cancellation = context.CancellationToken;
        var watching = false;
        var interrupted = false;
        var wait = FirstWait;
        while (true)
        {
            try
            {
                using var call = open(cancellation);
                await foreach (var value in call.ResponseStream.ReadAllAsync(cancellation))
                {
                    if (interrupted)
                    {
                        CliContext.Error.MarkupLineInterpolated($"[green]watch resumed:[/] reconnected to {context.Server}");
                        interrupted = false;
                    }

                    watching = true;
                    wait = FirstWait;
                    show(value);
                }

                return;
            }
            catch (RpcException ex) when (watching && Heals(ex) && !cancellation.IsCancellationRequested)
            {
                // One line for the whole outage, however many attempts it takes.
                if (!interrupted)
                {
                    CliContext.Error.MarkupLineInterpolated($"[yellow]watch interrupted:[/] {CommandRunner.Describe(ex)}; reconnecting to {context.Server} ...");
                    interrupted = true;
                }

                if (RetryPushback.AskedBy(ex) is { } asked && asked > wait)
                {
                    wait = RetryPushback.WaitFor(ex);
                }
            }

            await Task.Delay(wait, cancellation);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LongestWait.Ticks));
        }
    }

    /// <summary>
    /// UNAVAILABLE is what gRPC reports when the connection is refused or lost (a restart, a
    /// reset) and what the server says as it stops. A connection that failed in any other way
    /// is reported with the transport's exception behind the status, which no status the
    /// server sent has: pings that went unanswered come as INTERNAL, for one. Retrying heals
    /// both, and RESOURCE_EXHAUSTED, a refusal for now; any other status the server chose
    /// (NOT_FOUND, UNAUTHENTICATED, ...) it does not.
    /// </summary>
    private static bool Heals(RpcException ex) =>
        ex.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted
        || ex.Status.DebugException is IOException or HttpRequestException;
}

using System.CommandLine;
using Customer360.Cli.Import;
using Customer360.Cli.Mapping;
using Grpc.Core;
using Spectre.Console;

namespace Customer360.Cli.Infrastructure;

/// <summary>
/// Runs a command's body with a ready <see cref="CliContext"/> and turns failures into one clear
/// line on standard error and an exit code from <see cref="ExitCodes"/>.
/// </summary>
internal static class CommandRunner
{
    public static void SetHandler(this Command command, GlobalOptions global, Func<ParseResult, CliContext, Task<int>> body) =>
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                var server = GlobalOptions.ParseServer(parseResult.GetValue(global.Server) ?? GlobalOptions.DefaultServer);
                using var context = new CliContext(
                    server, global.ApiKeyOf(parseResult), parseResult.GetValue(global.CaCertificate), parseResult.GetValue(global.Json), cancellationToken);
                try
                {
                    return await body(parseResult, context);
                }
                catch (Exception ex) when (ex is ImportStreamException || (ex is RpcException && !IsCancellation(ex, cancellationToken)))
                {
                    return ServerFailed(context, ex);
                }
            }
            catch (Exception ex) when (IsCancellation(ex, cancellationToken))
            {
                Fail("cancelled");
                return ExitCodes.Cancelled;
            }
            catch (Exception ex) when (ex is UserInputException or FormatException or IOException or UnauthorizedAccessException)
            {
                Fail(ex.Message);
                return ExitCodes.InvalidInput;
            }
        });

    /// <summary>
    /// Says on one line of standard error why the server's side failed (an error status, or a
    /// touchpoint stream that broke its promise of one acknowledgement per message, in order),
    /// and gives the exit code for it.
    /// </summary>
    public static int ServerFailed(CliContext context, Exception ex)
    {
        var message = ex is RpcException rpc ? $"{Describe(rpc)}{Hint(rpc.StatusCode, context.Server)}" : ex.Message;
        Fail(context.Errors, message);
        return ExitCodes.ServerError;
    }

    /// <summary>A server's error as the user is shown it: its status, code and detail, e.g. "NOT_FOUND (5): no customer 'C1'".</summary>
    public static string Describe(RpcException ex)
    {
        var detail = ex.Status.Detail.Length > 0 ? $": {ex.Status.Detail}" : string.Empty;
        return $"{ProtoValues.FormatStatusCode(ex.StatusCode)} ({(int)ex.StatusCode}){detail}";
    }

    public static void Fail(string message) => Fail(CliContext.Error, message);

    public static void Fail(IAnsiConsole console, string message) =>
        console.MarkupLineInterpolated($"[red]error:[/] {message}");

    private static string Hint(StatusCode code, Uri server) => code switch
    {
        StatusCode.Unavailable => $" (is the server running at {server}?)",
        StatusCode.Unauthenticated => $" (give the API key with --api-key or ${GlobalOptions.ApiKeyVariable})",
        _ => string.Empty,
    };

    private static bool IsCancellation(Exception ex, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested &&
        (ex is OperationCanceledException || ex is RpcException { StatusCode: StatusCode.Cancelled });
}

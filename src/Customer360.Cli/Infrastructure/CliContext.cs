using Customer360.Api.V1;
using Customer360.Cli.Import;
using Customer360.Clients;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Spectre.Console;

namespace Customer360.Cli.Infrastructure;

/// <summary>
/// Where a command prints: tables for people and JSON for scripts on standard output, errors and
/// progress on standard error.
/// </summary>
internal sealed record CliOutput(IAnsiConsole Out, TextWriter Json, IAnsiConsole Errors);

/// <summary>
/// What a command runs with: where the server is, how to print, and clients made on first use
/// so that commands which never call the server (seed generation) never open a connection.
/// </summary>
/// <param name="output">Where to print; the process's standard output and error when not given.</param>
internal sealed class CliContext(
    Uri server, string? apiKey, string? caCertificate, bool json, CancellationToken cancellationToken, CliOutput? output = null) : IDisposable
{
    private const int RedirectedWidth = 160;

    private static readonly JsonFormatter ReplyFormatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));

    private GrpcChannel? _channel;

    public Uri Server { get; } = server;

    /// <summary>Scripts asked for proto JSON on standard output instead of tables.</summary>
    public bool Json { get; } = json;

    /// <summary>Cancelled by Ctrl-C.</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Tables and messages for people.</summary>
    public IAnsiConsole Out { get; } = output?.Out ?? CreateOut();

    /// <summary>JSON for scripts, one object a line.</summary>
    public TextWriter JsonOut { get; } = output?.Json ?? Console.Out;

    /// <summary>This command's errors and progress: <see cref="Error"/> unless it was given where to print.</summary>
    public IAnsiConsole Errors { get; } = output?.Errors ?? Error;

    /// <summary>Errors and progress go here, keeping standard output clean for data.</summary>
    public static IAnsiConsole Error { get; } = Widen(
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }),
        Console.IsErrorRedirected);

    public CustomerService.CustomerServiceClient Customers => new(Calls);

    public SegmentService.SegmentServiceClient Segments => new(Calls);

    public ValueModelService.ValueModelServiceClient ValueModels => new(Calls);

    private GrpcChannel Channel => _channel ??= GrpcChannel.ForAddress(Server, new GrpcChannelOptions { HttpHandler = Handler(caCertificate) });

    /// <summary>How long a call may hear nothing from the server before it is pinged, and how long the ping may go unanswered.</summary>
    internal static readonly (TimeSpan Delay, TimeSpan Timeout) KeepAlive = (TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(20));

    // Every call carries the API key when there is one (the server reads "authorization: Bearer <key>").
    private CallInvoker Calls => apiKey is null
        ? Channel.CreateCallInvoker()
        : Channel.Intercept(headers =>
        {
            headers.Add("authorization", $"Bearer {apiKey}");
            return headers;
        });

    /// <summary>
    /// A reply as proto JSON on one line, with every figure given even when it is zero or empty
    /// (proto JSON leaves those out by default), so that a script need not know the defaults.
    /// </summary>
    public void WriteJson(IMessage message) => JsonOut.WriteLine(ReplyFormatter.Format(message));

    public void Dispose() => _channel?.Dispose();

    /// <summary>
    /// The connection's handler. While a call is open the server is pinged when it has sent
    /// nothing for a while: a watch of a quiet customer hears nothing for hours, and without the
    /// pings a server that vanished without closing the connection (its machine lost power, the
    /// route dropped) would leave the watch showing a stale customer for ever. Unanswered, the
    /// call ends with an error, and a watch is opened again (<see cref="ResumingWatch"/>).
    /// </summary>
    private static SocketsHttpHandler Handler(string? caCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            // As gRPC's own handler: calls beyond one connection's stream limit open another.
            EnableMultipleHttp2Connections = true,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            KeepAlivePingDelay = KeepAlive.Delay,
            KeepAlivePingTimeout = KeepAlive.Timeout,
        };
        return caCertificate is null ? handler : ServerTrust.Trusting(handler, caCertificate);
    }

    private static IAnsiConsole CreateOut() => Widen(AnsiConsole.Console, Console.IsOutputRedirected);

    private static IAnsiConsole Widen(IAnsiConsole console, bool redirected)
    {
        if (redirected)
        {
            // A file or pager has no width to respect; the 80 columns assumed otherwise would wrap every table.
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}

using Grpc.Core;

namespace Customer360.Clients;

/// <summary>
/// The wait a server asks for when it refuses a call for now: RESOURCE_EXHAUSTED with the
/// trailer <c>grpc-retry-pushback-ms</c>, as it refuses a call beyond its API key's rate limit
/// or a watch or touchpoint stream beyond its cap. A refusal without the trailer (a message
/// larger than the server takes) would be refused again every time, and is not worth waiting
/// out. Compiled into <c>c360</c> and <c>c360-load</c>, as ServerTrust.cs is.
/// </summary>
internal static class RetryPushback
{
    public const string Trailer = "grpc-retry-pushback-ms";

    /// <summary>
    /// The wait <paramref name="refusal"/> asks for, or null when it asks for none. A value that is
    /// not a whole number of milliseconds (negative, or not a number) asks the client not to try
    /// again, as gRPC's retry design reads it.
    /// </summary>
    public static TimeSpan? AskedBy(RpcException refusal) =>
        refusal.Trailers.GetValue(Trailer) is { } value
        && long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds)
            // Beyond what a timer can wait (24.8 days), as good as forever: the caller bounds its wait anyway.
            ? TimeSpan.FromMilliseconds(Math.Min(milliseconds, int.MaxValue))
            : null;

    /// <summary>Whether <paramref name="ex"/> is a refusal for now that asks for a wait (see <see cref="AskedBy"/>).</summary>
    public static bool IsPushback(RpcException ex) =>
        ex.StatusCode == StatusCode.ResourceExhausted && AskedBy(ex) is not null;

    /// <summary>
    /// The longest a client waits before trying again, whatever the server asks: a key limited to
    /// one call in 1,000 s asks for that long, and its limit may be lifted long before.
    /// </summary>
    public static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(10);

    /// <summary>How long in all a call's refusals are waited out before the client gives up.</summary>
    public static readonly TimeSpan DefaultLongestInAll = TimeSpan.FromMinutes(1);

    /// <summary>The wait <paramref name="refusal"/> asks for (see <see cref="AskedBy"/>), at most <see cref="LongestWait"/>.</summary>
    public static TimeSpan WaitFor(RpcException refusal) =>
        AskedBy(refusal) is { } asked && asked < LongestWait ? asked : LongestWait;
}

/// <summary>The refusals of one call waited out so far, against how long in all they may be.</summary>
internal sealed class RefusalWaits(TimeSpan? longestInAll = null)
{
    private readonly TimeSpan _longestInAll = longestInAll ?? RetryPushback.DefaultLongestInAll;

    public int Refusals { get; private set; }

    public TimeSpan Waited { get; private set; }

    /// <summary>Counts <paramref name="refusal"/>; the wait before trying again, or null when it would take the waits past their limit.</summary>
    public TimeSpan? Next(RpcException refusal)
    {
        Refusals++;
        var wait = RetryPushback.WaitFor(refusal);
        if (Waited + wait > _longestInAll)
        {
            return null;
        }

        Waited += wait;
        return wait;
    }
}

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

    /// <summary>How long to wait when the trailer is there but its value cannot be read.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(1);

    /// <summary>The wait <paramref name="refusal"/> asks for, or null when it asks for none.</summary>
    public static TimeSpan? AskedBy(RpcException refusal) =>
        refusal.Trailers.GetValue(Trailer) is not { } value
            ? null
            : long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds)
                // Beyond what a timer can wait (24.8 days), as good as forever: the caller bounds its wait anyway.
                ? TimeSpan.FromMilliseconds(Math.Min(milliseconds, int.MaxValue))
                : DefaultWait;

    /// <summary>Whether <paramref name="ex"/> is a refusal for now that asks for a wait (see <see cref="AskedBy"/>).</summary>
    public static bool IsPushback(RpcException ex) =>
        ex.StatusCode == StatusCode.ResourceExhausted && AskedBy(ex) is not null;
}

using Grpc.Core;

namespace Customer360.Server.Security;

/// <summary>
/// Ends a long-lived call when the key it was opened with is removed or loses its role. A watch
/// may send nothing for hours, and a till's stream may receive nothing for as long, so neither
/// can wait for its next message to find out. The key check puts one in the call's
/// <see cref="ServerCallContext.UserState"/>, and the call links <see cref="Token"/> into its
/// cancellation and fails with <see cref="Reason"/>.
/// </summary>
public sealed class KeyRevocation : IDisposable
{
    private static readonly object StateKey = typeof(KeyRevocation);

    private readonly CancellationTokenSource _revoked = new();

    /// <summary>Cancelled when the call's key no longer lets it through.</summary>
    public CancellationToken Token => _revoked.Token;

    /// <summary>Why, once <see cref="Token"/> is cancelled: UNAUTHENTICATED or PERMISSION_DENIED.</summary>
    public RpcException? Reason { get; private set; }

    /// <summary>The revocation the key check attached to <paramref name="context"/>, if any.</summary>
    public static KeyRevocation? Of(ServerCallContext context) =>
        context.UserState.TryGetValue(StateKey, out var found) ? found as KeyRevocation : null;

    internal void AttachTo(ServerCallContext context) => context.UserState[StateKey] = this;

    internal void Revoke(RpcException reason)
    {
        Reason = reason;
        try
        {
            // Not inline: this runs on the thread that applies the changed settings.
            _ = _revoked.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The call has ended already.
        }
    }

    public void Dispose() => _revoked.Dispose();
}

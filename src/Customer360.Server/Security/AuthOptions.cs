namespace Customer360.Server.Security;

/// <summary>
/// Who may call the API ("Customer360:Auth"). With no keys, every call is let through: the
/// embedded default on loopback. With keys, every call to the Customer360 services must carry
/// one (<c>authorization: Bearer &lt;key&gt;</c>), and the key's roles decide what it may call
/// (<see cref="ApiRoles"/>). Health checks and reflection stay open either way.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// The API keys, by a name of the operator's choosing; the name, never the key, appears in
    /// refusals and logs.
    /// </summary>
    public Dictionary<string, ApiKeyOptions> Keys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether a server with no keys may listen on an address other than loopback. Off by
    /// default, so that an endpoint reachable from other machines is never open by accident.
    /// </summary>
    public bool AllowAnonymous { get; set; }
}

/// <summary>One API key: its digest and its roles.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>
    /// SHA-256 of the key's UTF-8 bytes, as 64 hexadecimal digits, so that settings files and
    /// environments never hold the key itself (<c>c360 api-key new</c> makes a key and its digest).
    /// </summary>
    public string Sha256 { get; set; } = "";

    /// <summary>Comma-separated roles: <c>till</c>, <c>agent</c>, <c>operator</c>.</summary>
    public string Roles { get; set; } = "";

    /// <summary>
    /// At most this many calls and touchpoints a second on each server, or no limit when unset
    /// (<see cref="KeyRateLimit"/>): a call beyond it is refused with RESOURCE_EXHAUSTED, a
    /// stream is slowed to it.
    /// </summary>
    public double? RatePerSecond { get; set; }

    /// <summary>How many may come at once after a quiet spell; one second's worth when unset. Only with <see cref="RatePerSecond"/>.</summary>
    public int? Burst { get; set; }
}

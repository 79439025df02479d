using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Customer360.Server.Security;

/// <summary>Who a call comes from: a configured key's name, roles, and rate limit if it has one.</summary>
public sealed record ApiCaller(string Name, IReadOnlySet<string> Roles, KeyRateLimit? Limit = null);

/// <summary>
/// The configured API keys, looked up by the digest of the key a call presents. Built from
/// <see cref="AuthOptions"/>, which <see cref="Validate"/> checks first. Following the settings,
/// it takes changed keys without a restart (a settings file edited, a mounted secret replaced),
/// so a key is rotated without dropping a single stream; a change the check refuses is logged
/// and the keys in use stay.
/// </summary>
public sealed partial class ApiKeys : IDisposable
{
    private volatile Dictionary<string, ApiCaller> _byDigest;
    private readonly IDisposable? _following;
    private int _generation;

    // Cancelled at each change taken, and replaced: calls that must end when their key goes
    // (watches and touchpoint streams, which may be quiet for a long time) follow it.
    private CancellationTokenSource _changes = new();

    public ApiKeys(AuthOptions options)
    {
        _byDigest = Build(options, endpointAddress: null);
    }

    /// <param name="options">The settings, followed as they change.</param>
    /// <param name="endpointAddress">Where the endpoint listens: a change may not leave one beyond loopback open.</param>
    public ApiKeys(IOptionsMonitor<AuthOptions> options, string endpointAddress, ILogger<ApiKeys> logger)
    {
        _byDigest = Build(options.CurrentValue, endpointAddress);
        _following = options.OnChange(changed =>
        {
            try
            {
                var before = _byDigest;
                var keys = Build(changed, endpointAddress, before);
                if (keys.Count == 0 && Required)
                {
                    // A settings file caught half-written reads as empty; running without keys
                    // takes a restart, never a reload.
                    throw new InvalidOperationException("a change may not remove every API key; restart the server to run it without keys");
                }

                _byDigest = keys;
                Interlocked.Increment(ref _generation);
                LogKeysChanged(logger, keys.Count);
                // Streams waiting on a replaced limit are let go by its disposal; they look their key up again.
                var kept = keys.Values.Select(c => c.Limit).OfType<KeyRateLimit>().ToHashSet();
                foreach (var replaced in before.Values.Select(c => c.Limit).OfType<KeyRateLimit>().Where(l => !kept.Contains(l)))
                {
                    replaced.Dispose();
                }

                // The calls look their keys up on the thread pool, not on the one applying the settings.
                _ = Interlocked.Exchange(ref _changes, new CancellationTokenSource()).CancelAsync();
            }
            catch (Exception ex)
            {
                // Whatever went wrong, the keys in use stay, and the settings' other listeners still run.
                LogChangeRefused(logger, ex.Message);
            }
        });
    }

    public void Dispose()
    {
        _following?.Dispose();
        foreach (var caller in _byDigest.Values)
        {
            caller.Limit?.Dispose();
        }
    }

    /// <summary>Whether calls must present a key.</summary>
    public bool Required => _byDigest.Count > 0;

    /// <summary>Counts the changes taken since start-up, so that an open stream can tell when to look its key up again.</summary>
    public int Generation => Volatile.Read(ref _generation);

    /// <summary>Cancelled when the next change is taken (after <see cref="Generation"/> has moved on).</summary>
    public CancellationToken NextChange => Volatile.Read(ref _changes).Token;

    /// <summary>The caller a presented key stands for, or null for a key that is not configured.</summary>
    public ApiCaller? Find(string presentedKey) => FindDigest(DigestOf(presentedKey));

    /// <summary>The caller a key's digest (<see cref="DigestOf"/>) stands for, or null.</summary>
    public ApiCaller? FindDigest(string digest) => _byDigest.GetValueOrDefault(digest);

    /// <summary>The digest a key is configured by: SHA-256 of its UTF-8 bytes, in lower-case hexadecimal.</summary>
    public static string DigestOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <param name="before">The keys in use: a key whose limit is unchanged keeps it, tokens and waiting streams included.</param>
    private static Dictionary<string, ApiCaller> Build(AuthOptions options, string? endpointAddress, Dictionary<string, ApiCaller>? before = null)
    {
        if (Validate(options, endpointAddress) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var limitsBefore = (before?.Values ?? Enumerable.Empty<ApiCaller>()).Where(c => c.Limit is not null).ToDictionary(c => c.Name, c => c.Limit!, StringComparer.Ordinal);
        return options.Keys.ToDictionary(
            key => key.Value.Sha256.ToLowerInvariant(),
            key => new ApiCaller(
                key.Key,
                RolesOf(key.Value).ToHashSet(StringComparer.Ordinal),
                limitsBefore.GetValueOrDefault(key.Key) is { } kept && kept.Matches(key.Value) ? kept : KeyRateLimit.For(key.Value)),
            StringComparer.Ordinal);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API keys changed: {Count} in use")]
    private static partial void LogKeysChanged(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Changed API key settings refused, the keys in use stay: {Problem}")]
    private static partial void LogChangeRefused(ILogger logger, string problem);

    /// <summary>The longest key name: it is recorded with every touchpoint sent with the key (recorded_by).</summary>
    public const int MaxNameLength = 64;

    /// <summary>
    /// What is wrong with the settings, naming the setting, or null. With <paramref name="endpointAddress"/>,
    /// also refuses an endpoint beyond loopback that no key guards, unless anonymous calls are allowed.
    /// </summary>
    public static string? Validate(AuthOptions options, string? endpointAddress)
    {
        var digests = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, key) in options.Keys)
        {
            var setting = $"Customer360:Auth:Keys:{name}";
            if (name.Length > MaxNameLength)
            {
                return $"{setting}: a key's name is recorded with every touchpoint it sends, and may have at most {MaxNameLength} characters, got {name.Length}";
            }

            if (key.Sha256.Length != 64 || !key.Sha256.All(char.IsAsciiHexDigit))
            {
                return $"{setting}:Sha256 must be the key's SHA-256 as 64 hexadecimal digits (c360 api-key new makes a key and its digest)";
            }

            if (!digests.Add(key.Sha256))
            {
                return $"{setting}:Sha256 is the same key as another one's";
            }

            var roles = RolesOf(key).ToList();
            if (roles.Count == 0 || roles.Any(r => !ApiRoles.All.Contains(r)))
            {
                return $"{setting}:Roles must list one or more of {string.Join(", ", ApiRoles.All)}, got '{key.Roles}'";
            }

            if (key.RatePerSecond is { } rate && !(rate >= KeyRateLimit.SlowestRate && rate <= KeyRateLimit.FastestRate))
            {
                return $"{setting}:RatePerSecond must be between {KeyRateLimit.SlowestRate} and {KeyRateLimit.FastestRate:N0} (leave it unset for no limit), got {rate}";
            }

            if (key.Burst is { } burst && (key.RatePerSecond is not { } limited || burst < KeyRateLimit.SmallestBurst(limited)))
            {
                return key.RatePerSecond is null
                    ? $"{setting}:Burst needs {setting}:RatePerSecond"
                    : $"{setting}:Burst must be at least {KeyRateLimit.SmallestBurst(key.RatePerSecond.Value)} (a millisecond's worth of the rate, and 1 or more), got {burst}";
            }
        }

        if (endpointAddress is not null && options.Keys.Count == 0 && !options.AllowAnonymous
            && !(IPAddress.TryParse(endpointAddress, out var address) && IPAddress.IsLoopback(address)))
        {
            return $"the gRPC endpoint listens on {endpointAddress}, beyond loopback, with no API keys: set Customer360:Auth:Keys " +
                   "(see README, \"Who may call the API\"), or Customer360:Auth:AllowAnonymous=true to leave it open";
        }

        return null;
    }

    private static IEnumerable<string> RolesOf(ApiKeyOptions key) =>
        key.Roles.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(r => r.ToLowerInvariant());
}

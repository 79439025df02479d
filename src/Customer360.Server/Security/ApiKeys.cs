using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Customer360.Server.Security;

/// <summary>Who a call comes from: a configured key's name and roles.</summary>
public sealed record ApiCaller(string Name, IReadOnlySet<string> Roles);

/// <summary>
/// The configured API keys, looked up by the digest of the key a call presents. Built once at
/// start-up from <see cref="AuthOptions"/>, which <see cref="Validate"/> checks first.
/// </summary>
public sealed class ApiKeys
{
    private readonly Dictionary<string, ApiCaller> _byDigest = new(StringComparer.Ordinal);

    public ApiKeys(AuthOptions options)
    {
        if (Validate(options, endpointAddress: null) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        foreach (var (name, key) in options.Keys)
        {
            _byDigest[key.Sha256.ToLowerInvariant()] = new ApiCaller(name, RolesOf(key).ToHashSet(StringComparer.Ordinal));
        }
    }

    /// <summary>Whether calls must present a key.</summary>
    public bool Required => _byDigest.Count > 0;

    /// <summary>The caller a presented key stands for, or null for a key that is not configured.</summary>
    public ApiCaller? Find(string presentedKey) => _byDigest.GetValueOrDefault(DigestOf(presentedKey));

    /// <summary>The digest a key is configured by: SHA-256 of its UTF-8 bytes, in lower-case hexadecimal.</summary>
    public static string DigestOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

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

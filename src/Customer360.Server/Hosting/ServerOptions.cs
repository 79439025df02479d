using System.Net;
using Customer360.Storage;

namespace Customer360.Server.Hosting;

/// <summary>Where the gRPC endpoint listens ("Customer360:Grpc").</summary>
public sealed class GrpcEndpointOptions
{
    /// <summary>IP address to bind; loopback by default. The endpoint speaks HTTP/2, without TLS (h2c) unless <see cref="CertificatePath"/> is given.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one.</summary>
    public int Port { get; set; } = 5360;

    /// <summary>Largest request message accepted; bigger ones fail with RESOURCE_EXHAUSTED.</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>Most watches (WatchCustomer and WatchSegment together) open at once on this server; more fail with RESOURCE_EXHAUSTED.</summary>
    public int MaxWatches { get; set; } = 10_000;

    /// <summary>
    /// Most touchpoint streams (StreamTouchpoints and StreamTouchpointBatches together) open at
    /// once on this server; more fail with RESOURCE_EXHAUSTED as they open. Each till or gateway
    /// keeps one open, so the default leaves room for a large estate on one server; it stops a
    /// fleet that opens streams in a loop, not the fleet itself.
    /// </summary>
    public int MaxTouchpointStreams { get; set; } = 20_000;

    /// <summary>
    /// How long a connection may send nothing before the server pings it (HTTP/2 PING). A watch of
    /// a quiet customer carries nothing for hours; the pings keep routers and NATs from dropping
    /// the connection, and find a screen that vanished without closing it (a laptop put to
    /// sleep, a VPN gone). At least one second.
    /// </summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a ping may go unanswered before the server closes the connection, ending its calls and freeing its watches. At least one second.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Why the keep-alive settings cannot be used, or null.</summary>
    public string? KeepAliveProblem() =>
        KeepAlivePingDelay < TimeSpan.FromSeconds(1) ? $"Customer360:Grpc:KeepAlivePingDelay must be at least 00:00:01, got {KeepAlivePingDelay}"
        : KeepAlivePingTimeout < TimeSpan.FromSeconds(1) ? $"Customer360:Grpc:KeepAlivePingTimeout must be at least 00:00:01, got {KeepAlivePingTimeout}"
        : null;

    /// <summary>
    /// The server's TLS certificate: a PKCS#12 file (.pfx, .p12), or a PEM file with its key in
    /// <see cref="CertificateKeyPath"/>. Given, the endpoint speaks HTTP/2 over TLS only
    /// (clients use https://); not given, HTTP/2 without TLS.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of <see cref="CertificatePath"/>, when that is a PEM certificate.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>The PKCS#12 file's password, or the PEM key's if it is encrypted.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// How often the certificate's files are read again, so that a renewed certificate serves
    /// new connections without a restart (<see cref="ServerCertificate"/>). At least 100 ms.
    /// </summary>
    public TimeSpan CertificateReloadInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Why <see cref="CertificateReloadInterval"/> cannot be used, or null.</summary>
    public string? CertificateReloadProblem() =>
        CertificateReloadInterval < TimeSpan.FromMilliseconds(100)
            ? $"Customer360:Grpc:CertificateReloadInterval must be at least 00:00:00.100, got {CertificateReloadInterval}"
            : null;
}

/// <summary>Where grain state is kept ("Customer360:Storage").</summary>
public sealed class StorageOptions
{
    /// <summary>
    /// "sqlite" (the embedded default, one silo), "postgres" (production: grain storage and
    /// cluster membership in PostgreSQL, any number of silos), or "memory" (nothing survives a restart).
    /// </summary>
    public string Provider { get; set; } = Sqlite;

    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public const string Memory = "memory";

    /// <summary><see cref="Provider"/> trimmed and in lower case.</summary>
    public string ProviderKind => Provider.Trim().ToLowerInvariant();

    /// <summary>Folder of the embedded SQLite database, created if missing.</summary>
    public string DataPath { get; set; } = "./data";

    /// <summary>
    /// ADO.NET connection string. For SQLite it defaults to a file in <see cref="DataPath"/>;
    /// for PostgreSQL it is required (an Npgsql connection string).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>How log appends are batched into transactions.</summary>
    public GroupCommitOptions GroupCommit { get; set; } = new();

    /// <summary>SQLite only: "Full" (default; every commit synced, survives power loss) or "Normal" (survives a process crash).</summary>
    public SqliteDurability SqliteSynchronous { get; set; } = SqliteDurability.Full;
}

/// <summary>The silo's own ports and identity ("Customer360:Silo").</summary>
public sealed class SiloOptions
{
    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    public string ClusterId { get; set; } = "customer360";

    public string ServiceId { get; set; } = "customer360";

    /// <summary>
    /// The longest <see cref="ClusterId"/> and <see cref="ServiceId"/>. The service id is part of
    /// the key of every customer and segment row, beside ids of up to 512 characters, and
    /// PostgreSQL indexes a key of at most about 2,700 bytes; a longer one would fail every
    /// commit that writes a new customer.
    /// </summary>
    public const int MaxIdLength = 128;

    /// <summary>Why the cluster or service id cannot be used, naming the setting, or null.</summary>
    public string? Problem() =>
        IdProblem("Customer360:Silo:ClusterId", ClusterId) ?? IdProblem("Customer360:Silo:ServiceId", ServiceId);

    private static string? IdProblem(string setting, string? id) =>
        string.IsNullOrWhiteSpace(id) ? $"{setting} must not be empty"
        : id.Length > MaxIdLength ? $"{setting} may have at most {MaxIdLength} characters, got {id.Length}"
        : id.Any(char.IsControl) ? $"{setting} must not contain control characters"
        : id.Trim().Length != id.Length ? $"{setting} must not start or end with white space"
        : null;

    /// <summary>
    /// The address other silos reach this one at, when clustering through PostgreSQL: an IP
    /// address, or a host name resolved at start-up (for example a container's service name).
    /// </summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// Whether the silo and gateway ports listen on every interface rather than only on
    /// <see cref="AdvertisedAddress"/>; needed in containers, where the advertised name
    /// resolves to an address of the container's network.
    /// </summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary><see cref="AdvertisedAddress"/> as an IP address; a host name resolves to its first IPv4 address.</summary>
    public IPAddress ResolveAdvertisedAddress()
    {
        if (IPAddress.TryParse(AdvertisedAddress, out var address))
        {
            return address;
        }

        var addresses = Dns.GetHostAddresses(AdvertisedAddress);
        return addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException($"Customer360:Silo:AdvertisedAddress '{AdvertisedAddress}' does not resolve to an address.");
    }
}

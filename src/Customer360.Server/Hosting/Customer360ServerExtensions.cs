using System.Net;
using Customer360.Grains.Configuration;
using Customer360.Grains.Diagnostics;
using Customer360.Grains.Hosting;
using Customer360.Grains.Storage;
using Customer360.Storage;
using Customer360.Server.Grpc;
using Customer360.Server.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace Customer360.Server.Hosting;

public static class Customer360ServerExtensions
{
    // The ADO.NET provider itself; grains reach it through the single-writer queue.
    private const string SqliteProviderName = StorageNames.Store + "-sqlite";

    /// <summary>
    /// Configures the whole server from the "Customer360" configuration section: the silo with
    /// its grain storage, and the gRPC endpoint with reflection and health checks.
    /// </summary>
    public static WebApplicationBuilder AddCustomer360Server(this WebApplicationBuilder builder)
    {
        SettingsFilesPolling.Use(builder);
        var config = builder.Configuration.GetSection(Customer360Options.Section);
        var endpoint = config.GetSection("Grpc").Get<GrpcEndpointOptions>() ?? new();
        var storage = config.GetSection("Storage").Get<StorageOptions>() ?? new();
        var silo = config.GetSection("Silo").Get<SiloOptions>() ?? new();
        var auth = config.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new();
        if (ApiKeys.Validate(auth, endpoint.Address) is { } authProblem)
        {
            throw new InvalidOperationException(authProblem);
        }

        if (silo.Problem() is { } siloProblem)
        {
            throw new InvalidOperationException(siloProblem);
        }

        var messageSize = new MessageSizeLimit(endpoint.MaxMessageBytes);
        if (endpoint.MaxWatches < 1)
        {
            throw new InvalidOperationException($"Customer360:Grpc:MaxWatches must be 1 or more, got {endpoint.MaxWatches}");
        }

        if (endpoint.MaxTouchpointStreams < 1)
        {
            throw new InvalidOperationException($"Customer360:Grpc:MaxTouchpointStreams must be 1 or more, got {endpoint.MaxTouchpointStreams}");
        }

        if (endpoint.KeepAliveProblem() is { } keepAliveProblem)
        {
            throw new InvalidOperationException(keepAliveProblem);
        }

        if (endpoint.CertificateReloadProblem() is { } reloadProblem)
        {
            throw new InvalidOperationException(reloadProblem);
        }

        var certificate = ServerCertificate.Load(endpoint);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // A watch's connection may carry nothing for hours: pinged, a screen that vanished
            // without closing it is found, and its calls end and free their watches.
            kestrel.Limits.Http2.KeepAlivePingDelay = endpoint.KeepAlivePingDelay;
            kestrel.Limits.Http2.KeepAlivePingTimeout = endpoint.KeepAlivePingTimeout;
            kestrel.Listen(IPAddress.Parse(endpoint.Address), endpoint.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                {
                    // Asked at each handshake, so that a renewed certificate serves new connections.
                    listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = _ => ValueTask.FromResult(certificate.HandshakeOptions()) });
                }
            });
        });

        builder.Services.Configure<Customer360Options>(config);
        if (certificate is not null)
        {
            builder.Services.AddSingleton(certificate);
            builder.Services.AddHostedService(sp => new ServerCertificateReloader(
                certificate, endpoint.CertificateReloadInterval, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ServerCertificate>>()));
        }

        // One of each interceptor for all calls (gRPC would make one per call otherwise), so
        // that what samples their logs sees every call.
        builder.Services.AddSingleton<ApiKeyInterceptor>();
        builder.Services.AddSingleton<UnparsableRequestInterceptor>();
        builder.Services.AddSingleton<MessageSizeInterceptor>();
        builder.Services.AddSingleton<ErrorMappingInterceptor>();
        builder.Services.AddSingleton<ApiFailureLog>();
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = messageSize.Bytes;
            // Outermost, so that a refused call does nothing at all.
            grpc.Interceptors.Add<ApiKeyInterceptor>();
            // A request protobuf could not parse is refused once its key has been checked.
            grpc.Interceptors.Add<UnparsableRequestInterceptor>();
            grpc.Interceptors.Add<MessageSizeInterceptor>();
            grpc.Interceptors.Add<ErrorMappingInterceptor>();
        })
            // Only the customer service, whose touchpoint streams refuse an over-size message
            // alone, reads beyond the limit (MessageSizeLimit).
            .AddServiceOptions<CustomerApi>(service => service.MaxReceiveMessageSize = messageSize.ReadBytes);
        builder.Services.Configure<AuthOptions>(config.GetSection(AuthOptions.Section));
        builder.Services.AddSingleton(sp => new ApiKeys(
            sp.GetRequiredService<IOptionsMonitor<AuthOptions>>(), endpoint.Address, sp.GetRequiredService<ILogger<ApiKeys>>()));
        builder.Services.AddGrpcReflection();
        AddMetricsExport(builder);
        builder.Services.AddGrpcHealthChecks().AddCheck<SiloHealthCheck>("silo");
        builder.Services.AddSingleton<ApiValidation>();
        builder.Services.AddSingleton(messageSize);
        builder.Services.AddSingleton(sp => new OpenWatches(endpoint.MaxWatches, sp.GetRequiredService<Customer360Metrics>()));
        builder.Services.AddSingleton(sp => new OpenTouchpointStreams(endpoint.MaxTouchpointStreams, sp.GetRequiredService<Customer360Metrics>()));
        builder.Services.AddSingleton<ServerShutdown>();

        builder.UseOrleans(siloBuilder =>
        {
            siloBuilder.AddCustomer360Clustering(storage, silo);

            // Failure detection ("Customer360:Silo:Membership", Orleans' ClusterMembershipOptions):
            // how fast a crashed silo is declared dead and its customers move to the others.
            siloBuilder.Configure<ClusterMembershipOptions>(config.GetSection("Silo:Membership"));
            siloBuilder.AddCustomer360Grains();
            siloBuilder.AddCustomer360Storage(storage);
        });
        return builder;
    }

    /// <summary>
    /// Sends the engine's metrics (<see cref="Customer360Metrics"/>) with the runtime's, ASP.NET
    /// Core's, Orleans' and Npgsql's over OTLP when an endpoint is configured with the standard
    /// OpenTelemetry settings (OTEL_EXPORTER_OTLP_ENDPOINT, and OTEL_EXPORTER_OTLP_PROTOCOL,
    /// OTEL_METRIC_EXPORT_INTERVAL...). Without one nothing is collected.
    /// </summary>
    private static void AddMetricsExport(WebApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointSetting]))
        {
            return;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName: "customer360"))
            .WithMetrics(metrics => metrics
                .AddMeter(Customer360Metrics.MeterName, "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime", "Npgsql")
                .AddOtlpExporter());
    }

    /// <summary>The standard OpenTelemetry setting that turns the export on.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// How silos find each other: through the PostgreSQL membership tables when the store is
    /// PostgreSQL (any number of silos), otherwise a single silo on localhost.
    /// </summary>
    public static ISiloBuilder AddCustomer360Clustering(this ISiloBuilder silo, StorageOptions storage, SiloOptions options)
    {
        if (storage.ProviderKind == StorageOptions.Postgres)
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            silo.ConfigureEndpoints(options.ResolveAdvertisedAddress(), options.SiloPort, options.GatewayPort, options.ListenOnAnyAddress);
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresInvariant;
                o.ConnectionString = RequireConnectionString(storage);
            });
        }
        else
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        }

        return silo;
    }

    /// <summary>
    /// Adds the customer store (log, snapshots, checkpoints), the segment store and the grain storage named
    /// <see cref="StorageNames.Store"/> for the configured provider.
    /// </summary>
    public static ISiloBuilder AddCustomer360Storage(this ISiloBuilder silo, StorageOptions storage)
    {
        if (storage.GroupCommit.Problem() is { } problem)
        {
            throw new InvalidOperationException($"Customer360:Storage:GroupCommit: {problem}");
        }

        switch (storage.ProviderKind)
        {
            case StorageOptions.Sqlite:
                var connectionString = SqliteStore.ConnectionStringFor(storage);
                SqliteStore.EnsureCreated(connectionString);
                silo.Services.AddSingleton<ICustomerStore>(sp => new UnavailableOnDatabaseFailure(new SqliteCustomerStore(
                    connectionString, ServiceIdOf(sp), storage.SqliteSynchronous, storage.GroupCommit, sp.GetRequiredService<ILogger<SqliteCustomerStore>>(),
                    sp.GetRequiredService<Customer360Metrics>())));
                silo.Services.AddSingleton<ISegmentStore>(sp => new SegmentStoreUnavailableOnDatabaseFailure(new SqliteSegmentStore(connectionString, ServiceIdOf(sp))));
                silo.AddAdoNetStore(SqliteProviderName, SqliteStore.Invariant, connectionString);
                silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Store, (sp, _) =>
                    new SingleWriterGrainStorage(sp.GetRequiredKeyedService<IGrainStorage>(SqliteProviderName)));
                break;
            case StorageOptions.Postgres:
                var postgres = RequireConnectionString(storage);
                RequireCurrentSchema(postgres);
                silo.Services.AddSingleton<ICustomerStore>(sp => new UnavailableOnDatabaseFailure(new PostgresCustomerStore(
                    postgres, ServiceIdOf(sp), storage.GroupCommit, sp.GetRequiredService<ILogger<PostgresCustomerStore>>(),
                    metrics: sp.GetRequiredService<Customer360Metrics>())));
                silo.Services.AddSingleton<ISegmentStore>(sp => new SegmentStoreUnavailableOnDatabaseFailure(new PostgresSegmentStore(postgres, ServiceIdOf(sp))));
                silo.AddAdoNetStore(StorageNames.Store, PostgresInvariant, postgres);
                break;
            case StorageOptions.Memory:
                silo.AddMemoryCustomerStore();
                silo.AddMemoryGrainStorage(StorageNames.Store);
                break;
            default:
                throw new InvalidOperationException(
                    $"Customer360:Storage:Provider '{storage.Provider}' is not supported; use 'sqlite', 'postgres' or 'memory'.");
        }

        return silo;
    }

    private const string PostgresInvariant = "Npgsql";

    private static string ServiceIdOf(IServiceProvider services) => services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId;

    private static void AddAdoNetStore(this ISiloBuilder silo, string name, string invariant, string connectionString) =>
        silo.AddAdoNetGrainStorage(name, options => options.Configure<Serializer>((o, serializer) =>
        {
            o.Invariant = invariant;
            o.ConnectionString = connectionString;
            // Orleans' own binary format: compact, fast and tolerant of added fields.
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));

    private static string RequireConnectionString(StorageOptions storage) =>
        string.IsNullOrWhiteSpace(storage.ConnectionString)
            ? throw new InvalidOperationException(
                "Customer360:Storage:ConnectionString is required with the postgres provider (an Npgsql connection string; "
                + "apply deploy/postgres/schema.sql to that database first).")
            : storage.ConnectionString;

    /// <summary>
    /// Stops the start when the database's schema lacks a table or column this server needs (an
    /// upgrade started before <c>deploy/postgres/schema.sql</c> was applied again). A database
    /// that cannot be reached is left to the first use, which reports it as unavailable, as it
    /// would be during any outage.
    /// </summary>
    private static void RequireCurrentSchema(string connectionString)
    {
        IReadOnlyList<string> missing;
        try
        {
            missing = PostgresSchema.Missing(connectionString);
        }
        catch (NpgsqlException)
        {
            return;
        }

        if (missing.Count > 0)
        {
            var named = string.Join(", ", missing.Take(6)) + (missing.Count > 6 ? $" and {missing.Count - 6} more" : "");
            throw new InvalidOperationException(
                $"The PostgreSQL database lacks what this server needs ({named}): apply deploy/postgres/schema.sql to it "
                + "(deploy/postgres/apply-schema.sh), which creates what is missing and upgrades an earlier schema in place, then start again.");
        }
    }

    public static WebApplication MapCustomer360Services(this WebApplication app)
    {
        app.MapGrpcService<CustomerApi>();
        app.MapGrpcService<SegmentApi>();
        app.MapGrpcService<ValueModelApi>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();
        return app;
    }
}

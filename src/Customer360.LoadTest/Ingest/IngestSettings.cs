namespace Customer360.LoadTest.Ingest;

/// <summary>Everything <c>c360-load ingest</c> was asked to do, checked and with defaults applied.</summary>
internal sealed record IngestSettings
{
    public required Uri Server { get; init; }

    public required int Touchpoints { get; init; }

    public required int Customers { get; init; }

    public required int Seed { get; init; }

    /// <summary>Kinds, channels and how unevenly customers are active.</summary>
    public Workload.WorkloadMix Mix { get; init; } = Workload.WorkloadMix.Retail;

    /// <summary>Prefix of every id this run sends or writes.</summary>
    public required string RunId { get; init; }

    public required int Streams { get; init; }

    public required int Window { get; init; }

    /// <summary>Touchpoints one StreamTouchpoints message carries at most (1: one per message, as a till sends).</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Offered touchpoints per second for the engine phase; null for as fast as the windows allow.</summary>
    public required double? Rate { get; init; }

    /// <summary>Touchpoints sent (to customers of their own) before the measured engine phase.</summary>
    public required int Warmup { get; init; }

    /// <summary>The warm-up goes to the measured customers, so the measured phase finds them active.</summary>
    public bool ReturningCustomers { get; init; }

    /// <summary>Check every customer's figures in the engine against what was acknowledged, after the run.</summary>
    public bool Verify { get; init; } = true;

    /// <summary>Npgsql connection string for the baselines; null when they are skipped.</summary>
    public required string? Postgres { get; init; }

    public required int CopyChunkRows { get; init; }

    public required int NaiveConnections { get; init; }

    /// <summary>The naive baseline takes this many touchpoints from the start of the workload.</summary>
    public required int NaiveTouchpoints { get; init; }

    public required bool KeepTables { get; init; }

    /// <summary>What the server stores into, as the person running the benchmark describes it.</summary>
    public required string StoreLabel { get; init; }

    public required FileInfo? JsonFile { get; init; }

    /// <summary>
    /// Further addresses of the same cluster (silos with gRPC endpoints of their own). The tills'
    /// streams are spread over <see cref="Server"/> and these, and the final check reads each
    /// customer through one of them in turn.
    /// </summary>
    public IReadOnlyList<Uri> OtherServers { get; init; } = [];

    /// <summary><see cref="Server"/> followed by <see cref="OtherServers"/>.</summary>
    public IReadOnlyList<Uri> Servers => [Server, .. OtherServers];

    /// <summary>The API key every call carries, for servers that require one.</summary>
    public string? ApiKey { get; init; }

    /// <summary>A PEM file of the certificates to trust for an https:// server instead of the system's (--ca-cert).</summary>
    public string? CaCertificate { get; init; }

    /// <summary>Where to write the Markdown summary, if anywhere.</summary>
    public FileInfo? MarkdownFile { get; init; }

    /// <summary>GetCustomer calls per second during the engine phase, and naive reads at the same rate; null for none.</summary>
    public double? ReadsPerSecond { get; init; }

    /// <summary>Recent touchpoints each of those GetCustomer calls asks for; null for all the server keeps.</summary>
    public int? ReadRecentTouchpoints { get; init; }

    /// <summary>WatchCustomer streams on the busiest customers during the engine phase.</summary>
    public int Watchers { get; init; }

    /// <summary>WatchSegment on the segments the workload touches during the engine phase.</summary>
    public bool Dashboard { get; init; }

    /// <summary>Also measure the gRPC echo ceiling with the engine's streams, window and touchpoints, after the engine phase.</summary>
    public bool EchoCeiling { get; init; }

    /// <summary>Report where this machine's CPU went during the measured engine phase, by process (Linux only).</summary>
    public bool MeasureCpu { get; init; }
}

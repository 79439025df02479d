namespace Customer360.LoadTest.InProcess;

/// <summary>What an in-process run does.</summary>
internal sealed record InProcessSettings
{
    public required string RunId { get; init; }

    public int Silos { get; init; } = 2;

    /// <summary>"memory", "sqlite" (one silo) or "postgres".</summary>
    public string Store { get; init; } = "memory";

    /// <summary>Folder of the SQLite file; a new temporary folder by default.</summary>
    public string DataPath { get; init; } = Path.Combine(Path.GetTempPath(), "c360-inproc-" + Guid.NewGuid().ToString("N"));

    /// <summary>Keep the SQLite file after the run (it is deleted by default).</summary>
    public bool KeepData { get; init; }

    public string? Postgres { get; init; }

    public int Touchpoints { get; init; } = 100_000;

    public int Customers { get; init; } = 10_000;

    /// <summary>Grain calls in flight at once, for the engine and for the ceiling alike.</summary>
    public int Concurrency { get; init; } = 256;

    public int Seed { get; init; } = 360;

    /// <summary>Kinds, channels and how unevenly customers are active.</summary>
    public Workload.WorkloadMix Mix { get; init; } = Workload.WorkloadMix.Retail;

    /// <summary>Touchpoints sent to the measured customers before timing (0: every measured customer starts new).</summary>
    public int Warmup { get; init; }

    public bool Verify { get; init; } = true;

    /// <summary>Touchpoints offered per second in open loop, latency measured from due times; null for closed loop (as fast as the calls in flight allow).</summary>
    public double? Rate { get; init; }

    /// <summary>
    /// Measure the heap each active customer holds after the run (see <see cref="MemoryProbe"/>).
    /// The command turns it on unless --no-memory is given.
    /// </summary>
    public bool Memory { get; init; }

    /// <summary>New customers the memory phase activates.</summary>
    public int MemoryCustomers { get; init; } = 2_000;

    /// <summary>Touchpoints each of them is given: the default fills the default recent window twice over.</summary>
    public int MemoryTouchpoints { get; init; } = 100;

    /// <summary>The silos' RecentWindow; null keeps the engine's default.</summary>
    public int? RecentWindow { get; init; }
}

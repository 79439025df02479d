using Customer360.LoadTest.Ingest;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// Settings of a short <c>ingest</c> run against a test server, engine only (no PostgreSQL
/// baselines), with a run id of its own; tests change what they are about with <c>with</c>.
/// </summary>
internal static class EngineOnlySettings
{
    public static IngestSettings For(Uri server, string runPrefix) => new()
    {
        Server = server,
        Touchpoints = 1_000,
        Customers = 100,
        Seed = 5,
        RunId = runPrefix + "-" + Guid.NewGuid().ToString("N")[..8],
        Streams = 4,
        Window = 16,
        Rate = null,
        Warmup = 0,
        Postgres = null,
        CopyChunkRows = 1_000,
        NaiveConnections = 1,
        NaiveTouchpoints = 1,
        KeepTables = false,
        StoreLabel = "sqlite, test",
        JsonFile = null,
    };
}

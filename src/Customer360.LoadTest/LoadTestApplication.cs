using System.CommandLine;
using Customer360.LoadTest.InProcess;
using Customer360.LoadTest.Ingest;
using Customer360.LoadTest.Values;

namespace Customer360.LoadTest;

/// <summary>The <c>c360-load</c> command tree.</summary>
internal static class LoadTestApplication
{
    public static RootCommand Create() =>
        new("c360-load: measures how fast Customer360 takes touchpoints in durably, next to PostgreSQL baselines on the same rows.")
        {
            IngestCommand.Create(),
            InProcessCommand.Create(),
            ValueModelCommand.Create(),
        };
}

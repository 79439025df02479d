using System.CommandLine;
using Customer360.LoadTest.Ceiling;
using Customer360.LoadTest.InProcess;
using Customer360.LoadTest.Ingest;
using Customer360.LoadTest.Summary;
using Customer360.LoadTest.Values;

namespace Customer360.LoadTest;

/// <summary>The <c>c360-load</c> command tree.</summary>
internal static class LoadTestApplication
{
    public static RootCommand Create() =>
        new("c360-load: measures how fast Customer360 takes touchpoints in durably, next to PostgreSQL baselines on the same rows. "
            + "Every command also takes --profile FILE.json: a JSON object of its options without the dashes (e.g. {\"touchpoints\": 200000, \"skew\": 1.0}); options on the command line win.")
        {
            IngestCommand.Create(),
            InProcessCommand.Create(),
            CeilingCommand.Create(),
            ValueModelCommand.Create(),
            SummarizeCommand.Create(),
        };
}

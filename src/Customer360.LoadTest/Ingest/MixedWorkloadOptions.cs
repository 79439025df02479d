using System.CommandLine;

namespace Customer360.LoadTest.Ingest;

/// <summary>
/// The options of <c>c360-load ingest</c> that add the server's other clients to the engine
/// phase: agents reading customers, screens watching them and a dashboard on the segments.
/// </summary>
internal sealed class MixedWorkloadOptions
{
    public Option<double?> ReadsPerSecond { get; } = new("--reads-per-second")
    {
        Description = "During the engine phase, GetCustomer calls at this fixed rate (open loop, latency from each call's due time) on customers picked as the touchpoints pick them; "
            + "the naive baseline reads its own tables at the same rate while it writes",
        HelpName = "per-second",
    };

    public Option<int?> ReadRecent { get; } = new("--read-recent")
    {
        Description = "How many recent touchpoints each GetCustomer of --reads-per-second asks for (0: a view without them; default: all the server keeps)",
        HelpName = "n",
    };

    public Option<int> Watchers { get; } = new("--watchers")
    {
        Description = "WatchCustomer streams on the busiest customers of the workload, timing each ack until the watcher sees a view that new (0: none)",
        HelpName = "n",
    };

    public Option<bool> Dashboard { get; } = new("--dashboard")
    {
        Description = "WatchSegment on every tier segment and the channel segments the workload touches, timing each ack until a segment update reflects it",
    };

    public MixedWorkloadOptions()
    {
        ReadsPerSecond.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<double?>() is <= 0 or > 1_000_000)
            {
                result.AddError("--reads-per-second must be above 0 and at most 1,000,000");
            }
        });
        ReadRecent.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 0)
            {
                result.AddError("--read-recent must not be negative");
            }
        });
        Watchers.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 10_000)
            {
                result.AddError("--watchers must be between 0 and 10,000");
            }
        });
    }

    public IEnumerable<Option> All => [ReadsPerSecond, ReadRecent, Watchers, Dashboard];

    /// <summary>The settings with these options applied.</summary>
    public IngestSettings Apply(ParseResult parse, IngestSettings settings) => settings with
    {
        ReadsPerSecond = parse.GetValue(ReadsPerSecond),
        ReadRecentTouchpoints = parse.GetValue(ReadRecent),
        Watchers = parse.GetValue(Watchers),
        Dashboard = parse.GetValue(Dashboard),
    };
}

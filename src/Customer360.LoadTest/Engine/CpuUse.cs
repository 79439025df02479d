using System.Text.Json.Nodes;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// Where the machine's cores went during the measured engine phase (<c>ingest --cpu</c>): CPU
/// seconds of the load tool, of the Customer360 servers, of PostgreSQL and of everything else
/// on the machine, and per acknowledged touchpoint. On a machine the three share, these say
/// which of them a faster engine has to take time from.
/// </summary>
/// <param name="Touchpoints">Touchpoints acknowledged in the phase, what the per-touchpoint figures divide by.</param>
/// <param name="LoadToolSeconds">This process: the tills' streams, the workload and the latency histograms (and the server too, when it is hosted in this process, as in tests).</param>
/// <param name="ServerSeconds">Processes whose command line names Customer360.Server: every silo on the machine.</param>
/// <param name="PostgresSeconds">Processes named "postgres": the server, its backends and its background workers.</param>
/// <param name="OtherSeconds">Every other process still running at the end, kernel threads included.</param>
/// <param name="UnattributedSeconds">The machine's busy time not found in any process: processes that ended during the phase, and interrupts the kernel does not charge to one.</param>
/// <param name="MachineBusyShare">Busy time over all time of all cores in the phase, from 0 to 1.</param>
internal sealed record CpuUse(
    long Touchpoints,
    double LoadToolSeconds,
    double ServerSeconds,
    double PostgresSeconds,
    double OtherSeconds,
    double UnattributedSeconds,
    double MachineBusyShare)
{
    /// <summary>The part of a process's command line that marks a Customer360 server (the dll, the apphost, or <c>dotnet run</c> of the project).</summary>
    public const string ServerMarker = "Customer360.Server";

    /// <summary>What the processes and the machine spent between two snapshots, by group.</summary>
    /// <param name="selfId">This process's id, whose time is the load tool's.</param>
    public static CpuUse Between(CpuSnapshot start, CpuSnapshot end, long touchpoints, int selfId)
    {
        double loadTool = 0, server = 0, postgres = 0, other = 0;
        foreach (var (id, now) in end.Processes)
        {
            // A process not in the first snapshot, or another process under the same id, started
            // during the phase: all of its time was spent in it.
            var before = start.Processes.TryGetValue(id, out var then) && then.StartTicks == now.StartTicks ? then.Ticks : 0;
            var seconds = (double)(now.Ticks - before) / CpuSnapshot.TicksPerSecond;
            if (id == selfId)
            {
                loadTool += seconds;
            }
            else if (now.Name == "postgres")
            {
                postgres += seconds;
            }
            else if (now.CommandLine.Contains(ServerMarker, StringComparison.Ordinal))
            {
                server += seconds;
            }
            else
            {
                other += seconds;
            }
        }

        var busy = (double)(end.Machine.BusyTicks - start.Machine.BusyTicks) / CpuSnapshot.TicksPerSecond;
        var idle = (double)(end.Machine.IdleTicks - start.Machine.IdleTicks) / CpuSnapshot.TicksPerSecond;
        return new CpuUse(
            touchpoints,
            loadTool,
            server,
            postgres,
            other,
            UnattributedSeconds: Math.Max(0, busy - loadTool - server - postgres - other),
            MachineBusyShare: busy + idle > 0 ? busy / (busy + idle) : 0);
    }

    /// <summary>The groups in the order reports show them: label, JSON name, CPU seconds.</summary>
    public IReadOnlyList<(string Label, string JsonName, double Seconds)> Groups =>
    [
        ("load tool (this process)", "loadTool", LoadToolSeconds),
        ("Customer360 server(s)", "server", ServerSeconds),
        ("PostgreSQL", "postgres", PostgresSeconds),
        ("other processes", "other", OtherSeconds),
        ("not attributed (ended processes, interrupts)", "unattributed", UnattributedSeconds),
    ];

    /// <summary>CPU microseconds per acknowledged touchpoint; 0 when none was acknowledged.</summary>
    public double MicrosecondsPerTouchpoint(double seconds) => Touchpoints > 0 ? seconds * 1_000_000 / Touchpoints : 0;

    public JsonObject ToJson()
    {
        var seconds = new JsonObject();
        var perTouchpoint = new JsonObject();
        foreach (var (_, name, value) in Groups)
        {
            seconds[name] = Math.Round(value, 2);
            perTouchpoint[name] = Math.Round(MicrosecondsPerTouchpoint(value), 1);
        }

        return new JsonObject
        {
            ["touchpoints"] = Touchpoints,
            ["machineBusyShare"] = Math.Round(MachineBusyShare, 3),
            ["cpuSeconds"] = seconds,
            ["microsecondsPerTouchpoint"] = perTouchpoint,
        };
    }
}

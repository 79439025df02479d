using System.Globalization;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// Every process's CPU time and the machine's, read from Linux's <c>/proc</c> at one moment.
/// Two snapshots, one as the measured phase starts and one as it ends, say where the machine's
/// cores went during it (<see cref="CpuUse.Between"/>).
/// </summary>
/// <remarks>
/// Read here rather than through <see cref="System.Diagnostics.Process"/>: that class gives no
/// way to tell a process from a later one with the same id, and enumerating every process with
/// it opens each one's files several times. No library reads <c>/proc</c> for .NET.
/// <para>
/// Only two snapshots are taken, never a series: a sampler that wakes several times a second
/// takes cores from what it measures. A shell loop reading these files twenty times a second
/// cost the engine about a quarter of its rate on a 2-core machine.
/// </para>
/// </remarks>
internal sealed record CpuSnapshot(IReadOnlyDictionary<int, ProcessCpu> Processes, MachineCpu Machine)
{
    /// <summary>
    /// Clock ticks per second in <c>/proc</c> (USER_HZ). The kernel fixes it at 100 for user
    /// space on every architecture .NET runs on, whatever the kernel's own tick rate.
    /// </summary>
    public const int TicksPerSecond = 100;

    private const string Proc = "/proc";

    /// <summary>Whether this machine has the files a snapshot reads.</summary>
    public static bool Supported => File.Exists(Path.Combine(Proc, "stat")) && File.Exists(Path.Combine(Proc, "self", "stat"));

    /// <summary>Every process's times now. Processes that exit while they are read are left out.</summary>
    public static CpuSnapshot Take()
    {
        var processes = new Dictionary<int, ProcessCpu>();
        foreach (var directory in Directory.EnumerateDirectories(Proc))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = ParseProcessStat(File.ReadAllText(Path.Combine(directory, "stat")));
                // The command line's arguments are separated by NULs; kernel threads have none.
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim();
                processes[pid] = stat with { CommandLine = commandLine };
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Exited between the listing and the read, or not ours to read.
            }
        }

        return new CpuSnapshot(processes, ParseMachineStat(File.ReadLines(Path.Combine(Proc, "stat")).First()));
    }

    /// <summary>
    /// The fields of a <c>/proc/[pid]/stat</c> line a snapshot needs. The command name is in
    /// parentheses and may itself hold spaces and parentheses, so the fields after it are
    /// counted from the last closing parenthesis.
    /// </summary>
    internal static ProcessCpu ParseProcessStat(string line)
    {
        var open = line.IndexOf('(', StringComparison.Ordinal);
        var close = line.LastIndexOf(')');
        if (open < 0 || close < open)
        {
            throw new FormatException($"not a /proc/[pid]/stat line: '{line}'");
        }

        // After ") ": state (field 3), ... utime (14), stime (15), ... starttime (22).
        var fields = line[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int number) => long.Parse(fields[number - 3], NumberStyles.None, CultureInfo.InvariantCulture);
        return new ProcessCpu(line[(open + 1)..close], CommandLine: string.Empty, UserTicks: Field(14), SystemTicks: Field(15), StartTicks: Field(22));
    }

    /// <summary>The machine's times from the first line of <c>/proc/stat</c> ("cpu  user nice system idle iowait irq softirq steal ...").</summary>
    internal static MachineCpu ParseMachineStat(string line)
    {
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 9 || fields[0] != "cpu")
        {
            throw new FormatException($"not the first line of /proc/stat: '{line}'");
        }

        long Field(int index) => long.Parse(fields[index], NumberStyles.None, CultureInfo.InvariantCulture);
        var busy = Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
        return new MachineCpu(BusyTicks: busy, IdleTicks: Field(4) + Field(5));
    }
}

/// <summary>One process's CPU time so far, in clock ticks, all of its threads (ended ones too) included.</summary>
/// <param name="Name">The kernel's name for it (at most 15 characters), e.g. "postgres" or "dotnet".</param>
/// <param name="CommandLine">Its arguments joined by spaces; empty for kernel threads.</param>
/// <param name="StartTicks">When it started, in ticks since boot: with the process id, tells it from a later process given the same id.</param>
internal sealed record ProcessCpu(string Name, string CommandLine, long UserTicks, long SystemTicks, long StartTicks)
{
    public long Ticks => UserTicks + SystemTicks;
}

/// <summary>The machine's CPU time so far over all cores, in clock ticks: busy (user, system, interrupts, stolen by the hypervisor) and idle (including waiting for I/O).</summary>
internal sealed record MachineCpu(long BusyTicks, long IdleTicks);

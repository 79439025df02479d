using Customer360.LoadTest.Engine;
using Customer360.LoadTest.Ingest;
using Customer360.LoadTest.Reporting;

namespace Customer360.LoadTest.Tests;

/// <summary>
/// <c>ingest --cpu</c>: reading <c>/proc</c>, telling the load tool, the servers, PostgreSQL and
/// the rest apart, and the figures in the report.
/// </summary>
public sealed class CpuUseTests
{
    // Real lines in the kernel's layout (fields after the name: state, ppid, ..., utime 14,
    // stime 15, ..., starttime 22, ...), with a name that holds spaces and parentheses.
    private const string OddNameStat =
        "4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 980 0 0 0 1234 567 0 0 20 0 7 0 98765 123456789 2345 18446744073709551615 1 1 0 0 0 0 0 4096 17642 0 0 0 17 1 0 0 0 0 0";

    [Fact]
    public void AProcessLineIsReadFromTheLastClosingParenthesis()
    {
        var process = CpuSnapshot.ParseProcessStat(OddNameStat);

        Assert.Equal("my (odd) proc", process.Name);
        Assert.Equal((1234L, 567L, 98765L), (process.UserTicks, process.SystemTicks, process.StartTicks));
        Assert.Equal(1801, process.Ticks);
    }

    [Fact]
    public void TheMachineLineCountsInterruptsAndStolenTimeAsBusyAndWaitingForIoAsIdle()
    {
        //                                          user nice system idle iowait irq softirq steal guest guest_nice
        var machine = CpuSnapshot.ParseMachineStat("cpu  100 2 30 500 7 1 4 5 0 0");

        Assert.Equal(100 + 2 + 30 + 1 + 4 + 5, machine.BusyTicks);
        Assert.Equal(500 + 7, machine.IdleTicks);
    }

    [Fact]
    public void TimeBetweenSnapshotsIsGroupedByWhoSpentIt()
    {
        const int self = 10;
        var start = Snapshot(
            busy: 1_000, idle: 1_000,
            (self, Process("dotnet", "dotnet c360-load.dll ingest", ticks: 50, started: 1)),
            (20, Process("dotnet", "dotnet /srv/Customer360.Server.dll", ticks: 400, started: 2)),
            (30, Process("postgres", "postgres: customer360 customer360 127.0.0.1 INSERT", ticks: 300, started: 3)),
            (40, Process("bash", "bash", ticks: 10, started: 4)),
            (50, Process("awk", "awk {print}", ticks: 5, started: 5)));
        var end = Snapshot(
            busy: 1_000 + 900, idle: 1_000 + 100,
            (self, Process("dotnet", "dotnet c360-load.dll ingest", ticks: 50 + 200, started: 1)),
            (20, Process("dotnet", "dotnet /srv/Customer360.Server.dll", ticks: 400 + 300, started: 2)),
            (30, Process("postgres", "postgres: customer360 customer360 127.0.0.1 idle", ticks: 300 + 150, started: 3)),
            // A new backend, started during the phase: all of its time counts.
            (31, Process("postgres", "postgres: customer360 customer360 127.0.0.1 idle", ticks: 60, started: 900)),
            (40, Process("bash", "bash", ticks: 10 + 20, started: 4)),
            // Process 50 ended, and a new process was given its id: its whole time counts, not the difference.
            (50, Process("sleep", "sleep 1", ticks: 3, started: 950)));

        var use = CpuUse.Between(start, end, touchpoints: 100_000, selfId: self);

        Assert.Equal(2.0, use.LoadToolSeconds, 6);
        Assert.Equal(3.0, use.ServerSeconds, 6);
        Assert.Equal(1.5 + 0.6, use.PostgresSeconds, 6);
        Assert.Equal(0.2 + 0.03, use.OtherSeconds, 6);
        Assert.Equal(9.0 - 2.0 - 3.0 - 2.1 - 0.23, use.UnattributedSeconds, 6);
        Assert.Equal(0.9, use.MachineBusyShare, 6);
        Assert.Equal(30.0, use.MicrosecondsPerTouchpoint(use.ServerSeconds), 6);

        var json = use.ToJson();
        Assert.Equal(100_000, json["touchpoints"]!.GetValue<long>());
        Assert.Equal(21.0, json["microsecondsPerTouchpoint"]!["postgres"]!.GetValue<double>());
        Assert.Equal(3.0, json["cpuSeconds"]!["server"]!.GetValue<double>());
    }

    [Fact]
    public void ASnapshotOfThisMachineSeesThisProcessSpendTime()
    {
        Assert.True(CpuSnapshot.Supported, "these tests run on Linux, which has /proc");
        var before = CpuSnapshot.Take();
        var used = Environment.CpuUsage.TotalTime;
        var spin = 0L;
        while (Environment.CpuUsage.TotalTime - used < TimeSpan.FromMilliseconds(300))
        {
            spin++;
        }

        var after = CpuSnapshot.Take();

        var me = after.Processes[Environment.ProcessId];
        Assert.Equal(before.Processes[Environment.ProcessId].StartTicks, me.StartTicks);
        Assert.NotEmpty(me.CommandLine);
        // 300 ms of this process's CPU by the runtime's count; the kernel's ticks are 10 ms each.
        Assert.True(me.Ticks - before.Processes[Environment.ProcessId].Ticks >= 20, $"spun {spin} times");
        Assert.True(after.Machine.BusyTicks > before.Machine.BusyTicks);
    }

    [Fact]
    public async Task AnIngestRunWithCpuReportsWhereTheEnginePhaseSpentIt()
    {
        await using var server = await LoopbackServer.StartAsync();
        var settings = EngineOnlySettings.For(server.Address, "cpu") with { MeasureCpu = true };

        var report = await new IngestBenchmark(settings, _ => { }).RunAsync(CancellationToken.None);

        Assert.True(report.Engine.Clean, string.Join("; ", report.Engine.Problems));
        var cpu = Assert.IsType<CpuUse>(report.EngineCpu);
        Assert.Equal(report.Engine.Accepted + report.Engine.Duplicate, cpu.Touchpoints);
        // The test hosts the server in this process, so the engine's work is the load tool's.
        Assert.True(cpu.LoadToolSeconds > 0);
        Assert.InRange(cpu.MachineBusyShare, double.Epsilon, 1);

        var json = ReportJson.ToJson(report);
        Assert.True(json["engineCpu"]!["microsecondsPerTouchpoint"]!["loadTool"]!.GetValue<double>() > 0);

        var text = ReportText.Of(report);
        Assert.Contains("CPU during the engine phase", text, StringComparison.Ordinal);
        Assert.Contains("PostgreSQL", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTheOptionNoCpuIsReported()
    {
        await using var server = await LoopbackServer.StartAsync();
        var settings = EngineOnlySettings.For(server.Address, "nocpu") with { Touchpoints = 200, Customers = 20 };

        var report = await new IngestBenchmark(settings, _ => { }).RunAsync(CancellationToken.None);

        Assert.Null(report.EngineCpu);
        Assert.Null(ReportJson.ToJson(report)["engineCpu"]);
    }

    private static ProcessCpu Process(string name, string commandLine, long ticks, long started) =>
        new(name, commandLine, UserTicks: ticks, SystemTicks: 0, StartTicks: started);

    private static CpuSnapshot Snapshot(long busy, long idle, params (int Id, ProcessCpu Process)[] processes) =>
        new(processes.ToDictionary(p => p.Id, p => p.Process), new MachineCpu(busy, idle));
}

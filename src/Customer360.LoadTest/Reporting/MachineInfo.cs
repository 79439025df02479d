using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Customer360.LoadTest.Reporting;

/// <summary>The machine a run was measured on: rates only compare across runs on the same kind.</summary>
internal sealed record MachineInfo(int ProcessorCount, string? CpuModel, string OperatingSystem, string Runtime)
{
    public static MachineInfo Current() => new(
        Environment.ProcessorCount,
        ReadCpuModel(),
        RuntimeInformation.OSDescription,
        $"{RuntimeInformation.FrameworkDescription} {RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}");

    public JsonObject ToJson() => new()
    {
        ["processorCount"] = ProcessorCount,
        ["cpu"] = CpuModel,
        ["os"] = OperatingSystem,
        ["runtime"] = Runtime,
    };

    public override string ToString() =>
        $"{ProcessorCount} logical cores{(CpuModel is null ? string.Empty : $" ({CpuModel})")}, {OperatingSystem}, {Runtime}";

    /// <summary>The CPU's name on Linux; null elsewhere.</summary>
    private static string? ReadCpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (!File.Exists(cpuInfo))
        {
            return null;
        }

        var line = File.ReadLines(cpuInfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line?[(line.IndexOf(':') + 1)..].Trim();
    }
}

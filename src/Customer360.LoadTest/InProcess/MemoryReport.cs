using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Customer360.LoadTest.InProcess;

/// <summary>The memory phase's settings check, console lines and JSON.</summary>
internal static class MemoryReport
{
    public static string? Problem(InProcessSettings s) =>
        !s.Memory ? null
        : s.MemoryCustomers is < 1 or > 1_000_000 ? "--memory-customers must be between 1 and 1000000"
        : s.MemoryTouchpoints is < 1 or > 100_000 ? "--memory-touchpoints must be between 1 and 100000"
        : s.RecentWindow is < 1 or > 10_000 ? "--recent-window must be between 1 and 10000"
        : null;

    public static void Write(IAnsiConsole console, MemoryFigures m)
    {
        console.MarkupLineInterpolated(
            $"Memory per active customer: [bold]{Kilobytes(m.BytesPerCustomerFullWindow)}[/] with {m.TouchpointsPerCustomer:N0} touchpoints each ({m.FullWindowCustomers:N0} new customers; recent window {m.RecentWindow:N0}, idempotency window {m.IdempotencyWindow:N0})");
        console.MarkupLineInterpolated(
            $"Memory per active customer as the run left them: [bold]{Kilobytes(m.BytesPerCustomerAsRun)}[/] ({m.AsRunCustomers:N0} customers)");
    }

    public static JsonObject ToJson(MemoryFigures m) => new()
    {
        ["recentWindow"] = m.RecentWindow,
        ["idempotencyWindow"] = m.IdempotencyWindow,
        ["fullWindowCustomers"] = m.FullWindowCustomers,
        ["touchpointsPerCustomer"] = m.TouchpointsPerCustomer,
        ["bytesPerCustomerFullWindow"] = Math.Round(m.BytesPerCustomerFullWindow),
        ["asRunCustomers"] = m.AsRunCustomers,
        ["bytesPerCustomerAsRun"] = Math.Round(m.BytesPerCustomerAsRun),
    };

    private static string Kilobytes(double bytes) => (bytes / 1024).ToString("N1", CultureInfo.InvariantCulture) + " KB";
}

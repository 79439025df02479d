using Customer360.LoadTest.Engine;
using Spectre.Console;

namespace Customer360.LoadTest.Reporting;

/// <summary>The end-of-run check, as every report prints it.</summary>
internal static class VerificationReport
{
    public static void Write(IAnsiConsole console, VerificationResult verification)
    {
        if (verification.Passed)
        {
            console.MarkupLineInterpolated($"[green]Verified:[/] each of {verification.CustomersChecked:N0} customers holds exactly the touchpoints acknowledged to it: nothing lost, nothing doubled.");
            return;
        }

        console.MarkupLineInterpolated(
            $"[red bold]Verification failed:[/] {verification.Mismatches:N0} of {verification.CustomersChecked:N0} customers differ from what was acknowledged ({verification.Dropped:N0} with touchpoints lost, {verification.Doubled:N0} doubled).");
        foreach (var sample in verification.Samples)
        {
            console.MarkupLineInterpolated($"[red]mismatch:[/] {sample}");
        }
    }
}

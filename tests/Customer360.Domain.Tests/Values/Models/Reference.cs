namespace Customer360.Domain.Tests.Values.Models;

/// <summary>
/// Comparisons against the high-precision reference values printed by
/// reference/compute_reference.py (mpmath, 50 significant digits, straight from the papers'
/// formulas).
/// </summary>
internal static class Reference
{
    /// <summary>|actual − expected| ≤ tolerance · |expected|, and actual finite.</summary>
    public static void Close(double expected, double actual, double tolerance = 1e-12)
    {
        Assert.True(double.IsFinite(actual), $"expected {expected:R}, got {actual:R}");
        var error = Math.Abs(actual - expected);
        Assert.True(error <= tolerance * Math.Abs(expected), $"expected {expected:R}, got {actual:R} (relative error {error / Math.Abs(expected):E2}, allowed {tolerance:E0})");
    }
}

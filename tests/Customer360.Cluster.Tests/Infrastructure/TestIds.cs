namespace Customer360.Cluster.Tests.Infrastructure;

internal static class TestIds
{
    /// <summary>A customer id no other test (or run) uses, readable in failure messages.</summary>
    public static string NewCustomerId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}

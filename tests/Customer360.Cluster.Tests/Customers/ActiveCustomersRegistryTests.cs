using Customer360.Grains.Customers;

namespace Customer360.Cluster.Tests.Customers;

/// <summary>The silo's list of customers in memory: pure bookkeeping.</summary>
public sealed class ActiveCustomersRegistryTests
{
    [Fact]
    public void ACustomerIsHeldFromItsJoinUntilEveryActivationHasLeft()
    {
        var active = new ActiveCustomers();
        active.Join("a");
        active.Join("b");
        Assert.Equal(["a", "b"], active.Among(["a", "b", "c"]));

        // A second activation joining before the first has left.
        active.Join("a");
        active.Leave("a");
        Assert.True(active.Contains("a"));
        active.Leave("a");
        Assert.False(active.Contains("a"));

        // Leaving twice, or never having joined, changes nothing.
        active.Leave("a");
        active.Leave("c");
        Assert.Equal(["b"], active.Among(["a", "b", "c"]));
        Assert.Equal(1, active.Count);
    }
}

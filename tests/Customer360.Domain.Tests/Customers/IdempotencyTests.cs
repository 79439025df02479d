using Customer360.Domain.Customers;
using static Customer360.Domain.Tests.TestData;

namespace Customer360.Domain.Tests.Customers;

public sealed class IdempotencyTests
{
    private static readonly CustomerRules Rules = new();

    [Fact]
    public void RepeatedEventIdIsDuplicateAndChangesNothing()
    {
        var purchase = Purchase("p1", Day(-2), 250m, Channel.PointOfSale);
        var customer = CustomerWith([purchase, Event("v1", Day(-1), Channel.Web, TouchpointKind.Visit)]);
        var before = CustomerSnapshot.Of(customer);
        var updatedAt = customer.UpdatedAt;
        var value = customer.Value;

        var outcome = customer.Apply(purchase, Rules, Now.AddHours(1));

        Assert.Equal(ApplyOutcome.Duplicate, outcome);
        Assert.Equal(before, CustomerSnapshot.Of(customer));
        Assert.Equal(2, customer.Version);
        Assert.Equal(updatedAt, customer.UpdatedAt);
        Assert.Same(value, customer.Value);
        Assert.True(customer.HasApplied("p1"));
        Assert.True(customer.HasApplied("v1"));
        Assert.Equal(2, customer.AppliedEventCount);
    }

    [Fact]
    public void EventIdIsTheIdempotencyKeyWhateverTheContent()
    {
        var customer = CustomerWith([Purchase("p1", Day(-2), 250m)]);
        var before = CustomerSnapshot.Of(customer);

        // A different payload under a used id is still a retry of that event.
        var outcome = customer.Apply(Return("p1", Day(-1), 99m, Channel.MobileApp), Rules, Now);

        Assert.Equal(ApplyOutcome.Duplicate, outcome);
        Assert.Equal(before, CustomerSnapshot.Of(customer));
    }

    [Fact]
    public void EventIdsAreComparedExactly()
    {
        var customer = CustomerWith([Purchase("order-1", Day(-2), 10m)]);

        var outcome = customer.Apply(Purchase("ORDER-1", Day(-2), 10m), Rules, Now);

        Assert.Equal(ApplyOutcome.Accepted, outcome);
        Assert.Equal(2, customer.Aggregates.OrderCount);
    }

    [Fact]
    public void AcceptedTouchpointBumpsVersionAndUpdatedAt()
    {
        var customer = NewCustomer();
        Assert.Equal(0, customer.Version);
        Assert.False(customer.Exists);

        var later = Now.AddMinutes(5);
        var outcome = customer.Apply(Event("v1", Day(-1), Channel.Web, TouchpointKind.Visit), Rules, later);

        Assert.Equal(ApplyOutcome.Accepted, outcome);
        Assert.Equal(1, customer.Version);
        Assert.True(customer.Exists);
        Assert.Equal(later, customer.UpdatedAt);
        Assert.Equal(Now, customer.CreatedAt);
        Assert.True(customer.HasApplied("v1"));
    }

    // Documents a limit: the idempotency window is finite, so a retry that arrives after
    // IdempotencyWindow newer events is applied a second time.
    [Fact]
    public void EventIdBeyondTheIdempotencyWindowIsForgottenAndAppliedAgain()
    {
        var rules = new CustomerRules { IdempotencyWindow = 3 };
        var first = Purchase("p1", Day(-5), 100m);
        var customer = CustomerWith(
            [
                first,
                Event("v2", Day(-4), Channel.Web, TouchpointKind.Visit),
                Event("v3", Day(-3), Channel.Web, TouchpointKind.Visit),
                Event("v4", Day(-2), Channel.Web, TouchpointKind.Visit),
            ],
            rules);

        Assert.False(customer.HasApplied("p1"));
        Assert.Equal(
            [new AppliedEvent("v2", 0).IdHash, new AppliedEvent("v3", 0).IdHash, new AppliedEvent("v4", 0).IdHash],
            customer.AppliedEvents.Select(e => e.IdHash));

        var outcome = customer.Apply(first, rules, Now);

        Assert.Equal(ApplyOutcome.Accepted, outcome);
        Assert.Equal(2, customer.Aggregates.OrderCount);
        Assert.Equal(200m, customer.Aggregates.GrossPurchases);
        Assert.Equal(5, customer.Version);
    }

    [Fact]
    public void EventIdInsideTheIdempotencyWindowIsStillRecognised()
    {
        var rules = new CustomerRules { IdempotencyWindow = 3 };
        var customer = CustomerWith(
            [
                Event("v1", Day(-4), Channel.Web, TouchpointKind.Visit),
                Purchase("p2", Day(-5), 100m),
                Event("v3", Day(-3), Channel.Web, TouchpointKind.Visit),
                Event("v4", Day(-2), Channel.Web, TouchpointKind.Visit),
            ],
            rules);

        Assert.Equal(ApplyOutcome.Duplicate, customer.Apply(Purchase("p2", Day(-5), 100m), rules, Now));
        Assert.Equal(1, customer.Aggregates.OrderCount);
    }

    [Fact]
    public void IdempotencyWindowFollowsArrivalOrderNotEventTime()
    {
        var rules = new CustomerRules { IdempotencyWindow = 2 };

        // "newest" has the latest event time but arrived first, so it is the one forgotten.
        var customer = CustomerWith(
            [
                Event("newest", Day(-1), Channel.Web, TouchpointKind.Visit),
                Event("old", Day(-9), Channel.Web, TouchpointKind.Visit),
                Event("older", Day(-10), Channel.Web, TouchpointKind.Visit),
            ],
            rules);

        Assert.False(customer.HasApplied("newest"));
        Assert.True(customer.HasApplied("old"));
        Assert.True(customer.HasApplied("older"));
    }

    [Fact]
    public void IdempotencyWindowAlwaysRemembersTheLastEvent()
    {
        var rules = new CustomerRules { IdempotencyWindow = 0 };
        var visit = Event("v1", Day(-1), Channel.Web, TouchpointKind.Visit);
        var customer = CustomerWith([visit], rules);

        Assert.Equal(ApplyOutcome.Duplicate, customer.Apply(visit, rules, Now));
    }

    [Fact]
    public void RestoredCustomerRecognisesRememberedEventIds()
    {
        var p1 = Purchase("p1", Day(-1), 5m);
        var p2 = Purchase("p2", Day(-1), 5m);
        var customer = new Customer(
            CustomerId, 2, Now, Now, CustomerProfile.Empty, new CustomerAggregates(), [],
            [new AppliedEvent("p1", TouchpointFingerprint.Of(p1)), new AppliedEvent("p2", TouchpointFingerprint.Of(p2))], null);

        Assert.Equal(EventCheck.Duplicate, customer.Check(p2));
        Assert.Equal(ApplyOutcome.Duplicate, customer.Apply(p2, Rules, Now));
        Assert.Equal(ApplyOutcome.Accepted, customer.Apply(Purchase("p3", Day(-1), 5m), Rules, Now));
        Assert.Equal(3, customer.Version);
    }

    [Fact]
    public void RecentEventIdWithTheSameContentIsADuplicate()
    {
        var customer = CustomerWith([Purchase("p1", Day(-1), 25m)], Rules);

        Assert.Equal(EventCheck.Duplicate, customer.Check(Purchase("p1", Day(-1), 25m)));
    }

    [Fact]
    public void RecentEventIdWithOtherContentIsAConflict()
    {
        var customer = CustomerWith([Purchase("p1", Day(-1), 25m)], Rules);

        Assert.Equal(EventCheck.Conflict, customer.Check(Purchase("p1", Day(-1), 26m)));
        Assert.Equal(EventCheck.Conflict, customer.Check(Purchase("p1", Day(-2), 25m)));
        Assert.Equal(EventCheck.NotRecent, customer.Check(Purchase("p2", Day(-1), 25m)));
    }

    [Fact]
    public void EventIdThatLeftTheWindowIsNotRecent()
    {
        var rules = new CustomerRules { IdempotencyWindow = 1 };
        var customer = CustomerWith([Purchase("p1", Day(-1), 25m), Purchase("p2", Day(-1), 25m)], rules);

        Assert.Equal(EventCheck.NotRecent, customer.Check(Purchase("p1", Day(-1), 25m)));
        Assert.Equal(EventCheck.Duplicate, customer.Check(Purchase("p2", Day(-1), 25m)));
    }
}

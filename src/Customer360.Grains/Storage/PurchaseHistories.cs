using System.Runtime.CompilerServices;
using Customer360.Domain.Customers;

namespace Customer360.Grains.Storage;

/// <summary>Every customer's purchase days, customer by customer, as the value models read them.</summary>
public static class PurchaseHistories
{
    /// <summary>
    /// <see cref="ICustomerStore.ReadPurchaseDaysAsync"/> gathered per customer: each customer's
    /// days with a purchase or a return up to <paramref name="until"/>, in day order, in a list
    /// of its own.
    /// </summary>
    public static async IAsyncEnumerable<(string CustomerId, List<DailyActivity> Days)> ReadPurchaseHistoriesAsync(
        this ICustomerStore store, DateTimeOffset? until, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? customer = null;
        var days = new List<DailyActivity>();
        await foreach (var day in store.ReadPurchaseDaysAsync(until, cancellationToken))
        {
            if (customer is not null && !string.Equals(customer, day.CustomerId, StringComparison.Ordinal))
            {
                yield return (customer, days);
                days = [];
            }

            customer = day.CustomerId;
            days.Add(day.Activity);
        }

        if (customer is not null)
        {
            yield return (customer, days);
        }
    }
}

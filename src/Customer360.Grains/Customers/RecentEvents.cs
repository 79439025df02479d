using Customer360.Domain.Customers;
using Customer360.Grains.Storage;

namespace Customer360.Grains.Customers;

/// <summary>
/// Confirms what a customer's remembered events suggest about an event id. The customer keeps a
/// hash of each recent id, not the id, so a hit may in principle be another id with the same hash.
/// The customer grain asks here when a hit's content fingerprint differs (a fingerprint covers the
/// event id, so an equal one is the same event): the event is refused as a conflict only when its
/// exact id is found, among the recent touchpoints the customer keeps or else in the log.
/// </summary>
public static class RecentEvents
{
    /// <summary>
    /// <see cref="EventCheck.Duplicate"/> or <see cref="EventCheck.Conflict"/> when the event id
    /// was applied, with the same or other content; <see cref="EventCheck.NotRecent"/> when it was
    /// not (the hash belonged to another id), so the event goes to the log as a new one.
    /// </summary>
    public static async Task<EventCheck> ConfirmAsync(Customer customer, string eventId, long fingerprint, ICustomerStore store)
    {
        if (customer.RecentTouchpoints.Find(eventId) is { } recent)
        {
            return TouchpointFingerprint.Of(recent) == fingerprint ? EventCheck.Duplicate : EventCheck.Conflict;
        }

        return await store.FindEventAsync(customer.CustomerId, eventId) is { } logged
            ? logged.Fingerprint == fingerprint ? EventCheck.Duplicate : EventCheck.Conflict
            : EventCheck.NotRecent;
    }
}

using Customer360.Domain.Customers;
using Customer360.Grains.Storage;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>Log entries for tests that talk to a customer store directly.</summary>
internal static class LogEntries
{
    public static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>A web visit with <paramref name="eventId"/> as the customer's entry number <paramref name="sequence"/>, at <see cref="At"/>.</summary>
    public static CustomerLogEntry Visit(string customerId, string eventId, long sequence) => CustomerLogEntry.For(
        new Touchpoint { EventId = eventId, CustomerId = customerId, OccurredAt = At, Channel = Channel.Web, Kind = TouchpointKind.Visit },
        sequence,
        At);
}

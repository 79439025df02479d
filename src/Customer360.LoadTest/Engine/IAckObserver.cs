using Customer360.Api.V1;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// Learns of every acknowledgement the engine phase receives, as it arrives, so that readers,
/// watchers and a dashboard running next to the tills can time what follows an ack.
/// </summary>
internal interface IAckObserver
{
    /// <summary>Called on a stream's reader loop; must be quick and thread-safe.</summary>
    /// <param name="eventId">The touchpoint acknowledged.</param>
    /// <param name="ack">The acknowledgement, with the customer's version after the touchpoint.</param>
    /// <param name="receivedAt">When the ack arrived (<see cref="System.Diagnostics.Stopwatch"/> timestamp).</param>
    void Acknowledged(string eventId, TouchpointAck ack, long receivedAt);
}

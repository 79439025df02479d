using Customer360.Grains.Storage;

namespace Customer360.Grains.Values;

/// <summary>
/// The words the value model's status (<c>GetValueModel</c>: the last fit failure, why the
/// sweep stopped short) gives for a failure. Only the engine's own account of it goes there: the
/// store out of reach, the sweep passing over too many customers. Any other exception is named
/// by its kind alone, for a driver's or the runtime's message can carry host names, ports, SQL or
/// the cluster's internal addresses, and the status is open to agents. The server's log has the
/// whole exception.
/// </summary>
public static class StatusFailure
{
    public static string Describe(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is CustomerStoreUnavailableException or SweepStoppedShortException)
            {
                return e.Message;
            }
        }

        return $"an unexpected {exception.GetType().Name}; the server's log has the details";
    }
}

/// <summary>
/// The sweep stopped at a page because it would pass over more customers than it may
/// (<c>SweepMaxNotReached</c>); it resumes from its cursor at the next check.
/// </summary>
public sealed class SweepStoppedShortException(string message) : Exception(message);

using Customer360.Grains.Diagnostics;
using Grpc.Core;

namespace Customer360.Server.Grpc;

/// <summary>
/// Logs the failures below the API that calls and touchpoints are answered with (the store or
/// the cluster unavailable, time-outs, internal errors). While the database is down every
/// touchpoint fails the same way, thousands a second, each with the same stack: so one warning
/// with its exception is logged every ten seconds for each method, status and type of
/// exception (so that two different bugs are both seen), and the next one says how many like
/// it were left out. The metrics count every touchpoint's answer
/// (<c>customer360.touchpoints</c>, by outcome).
/// </summary>
public sealed partial class ApiFailureLog(ILogger<ApiFailureLog> logger)
{
    private readonly LogSampler _sampler = new(TimeSpan.FromSeconds(10));

    /// <summary>A call failed, and is answered with <paramref name="status"/>.</summary>
    public void CallFailed(Exception exception, string method, StatusCode status)
    {
        if (_sampler.ShouldLog($"{method}|{status}|{exception.GetType().FullName}", out var alike))
        {
            LogCallFailed(logger, exception, method, status, alike);
        }
    }

    /// <summary>A touchpoint of a stream could not be applied, and its ack carries <paramref name="status"/>.</summary>
    public void TouchpointFailed(Exception exception, string eventId, StatusCode status)
    {
        if (_sampler.ShouldLog($"stream|{status}|{exception.GetType().FullName}", out var alike))
        {
            LogTouchpointFailed(logger, exception, eventId, status, alike);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} failed with {Status} ({Alike} more like it not logged since the last)")]
    private static partial void LogCallFailed(ILogger logger, Exception exception, string method, StatusCode status, long alike);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Touchpoint {EventId} from a stream could not be applied and was answered {Status} ({Alike} more like it not logged since the last)")]
    private static partial void LogTouchpointFailed(ILogger logger, Exception exception, string eventId, StatusCode status, long alike);
}

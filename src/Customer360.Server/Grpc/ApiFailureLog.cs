using Customer360.Grains.Diagnostics;
using Grpc.Core;

namespace Customer360.Server.Grpc;

/// <summary>
/// Logs the failures below the API that calls and touchpoints are answered with (the store or
/// the cluster unavailable, time-outs, internal errors). While the database is down every
/// touchpoint fails the same way, thousands a second, each with the same stack: so one warning
/// with its exception is logged every ten seconds for each method, status and type of
/// exception (so that two different bugs are both seen), and the next one says how many like
/// it were left out. When the failures stop, a last line says how many of the final ten
/// seconds were left out. The metrics count every touchpoint's answer
/// (<c>customer360.touchpoints</c>, by outcome).
/// </summary>
public sealed partial class ApiFailureLog : IDisposable
{
    /// <summary>What stands for the method in the kinds of failed stream touchpoints.</summary>
    private const string StreamTouchpoint = "";

    private readonly ILogger<ApiFailureLog> _logger;
    private readonly LogSampler<Kind> _sampler;

    public ApiFailureLog(ILogger<ApiFailureLog> logger)
    {
        _logger = logger;
        _sampler = new LogSampler<Kind>(TimeSpan.FromSeconds(10), ReportLeftOut);
    }

    /// <summary>A call failed, and is answered with <paramref name="status"/>.</summary>
    public void CallFailed(Exception exception, string method, StatusCode status)
    {
        if (_sampler.ShouldLog(new Kind(method, status, exception.GetType()), out var alike))
        {
            LogCallFailed(_logger, exception, method, status, alike);
        }
    }

    /// <summary>A touchpoint of a stream could not be applied, and its ack carries <paramref name="status"/>.</summary>
    public void TouchpointFailed(Exception exception, string eventId, StatusCode status)
    {
        if (_sampler.ShouldLog(new Kind(StreamTouchpoint, status, exception.GetType()), out var alike))
        {
            LogTouchpointFailed(_logger, exception, eventId, status, alike);
        }
    }

    public void Dispose() => _sampler.Dispose();

    private void ReportLeftOut(Kind kind, long count)
    {
        if (kind.Method == StreamTouchpoint)
        {
            LogTouchpointsLeftOut(_logger, count, kind.Status, kind.Exception.FullName);
        }
        else
        {
            LogCallsLeftOut(_logger, count, kind.Method, kind.Status, kind.Exception.FullName);
        }
    }

    private readonly record struct Kind(string Method, StatusCode Status, Type Exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} failed with {Status} ({Alike} more like it not logged since the last)")]
    private static partial void LogCallFailed(ILogger logger, Exception exception, string method, StatusCode status, long alike);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Touchpoint {EventId} from a stream could not be applied and was answered {Status} ({Alike} more like it not logged since the last)")]
    private static partial void LogTouchpointFailed(ILogger logger, Exception exception, string eventId, StatusCode status, long alike);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Alike} more calls of {Method} failed with {Status} ({ExceptionType}) after the last one logged")]
    private static partial void LogCallsLeftOut(ILogger logger, long alike, string method, StatusCode status, string? exceptionType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Alike} more touchpoints from streams could not be applied and were answered {Status} ({ExceptionType}) after the last one logged")]
    private static partial void LogTouchpointsLeftOut(ILogger logger, long alike, StatusCode status, string? exceptionType);
}

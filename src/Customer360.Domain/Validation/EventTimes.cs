using System.Globalization;

namespace Customer360.Domain.Validation;

/// <summary>The lower bound shared by every time a client dates something with: event times and consent dates.</summary>
internal static class EventTimes
{
    public static ValidationError? CheckAfterFloor(DateTimeOffset time, string field, InputLimits limits) =>
        time > limits.EventTimeFloor
            ? null
            : new ValidationError(field, $"must be after {Iso(limits.EventTimeFloor)}; got {Iso(time)}");

    private static string Iso(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

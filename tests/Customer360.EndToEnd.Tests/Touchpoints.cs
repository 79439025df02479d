using Customer360.Api.V1;
using Google.Protobuf.WellKnownTypes;

namespace Customer360.EndToEnd.Tests;

/// <summary>Builders for valid API messages; tests change one field to make them invalid.</summary>
public static class Touchpoints
{
    public static string NewCustomerId(string prefix = "e2e") => $"{prefix}-{Guid.NewGuid():N}";

    public static Touchpoint Purchase(string customerId, decimal amount, DateTimeOffset? at = null, Channel channel = Channel.PointOfSale, string? eventId = null) => new()
    {
        EventId = eventId ?? Guid.NewGuid().ToString(),
        CustomerId = customerId,
        OccurredAt = Timestamp.FromDateTimeOffset(at ?? DateTimeOffset.UtcNow.AddMinutes(-5)),
        Channel = channel,
        Kind = TouchpointKind.Purchase,
        Amount = new Money { Amount = amount.ToString(System.Globalization.CultureInfo.InvariantCulture), CurrencyCode = "EUR" },
        SourceSystem = "till-e2e",
    };

    public static Touchpoint Contact(string customerId, TouchpointKind kind, Channel channel, DateTimeOffset? at = null, string? eventId = null) => new()
    {
        EventId = eventId ?? Guid.NewGuid().ToString(),
        CustomerId = customerId,
        OccurredAt = Timestamp.FromDateTimeOffset(at ?? DateTimeOffset.UtcNow.AddMinutes(-5)),
        Channel = channel,
        Kind = kind,
        SourceSystem = "crm-e2e",
    };

    public static RecordTouchpointRequest Record(Touchpoint t) => new() { Touchpoint = t };

    /// <summary>A visit of exactly <paramref name="bytes"/> bytes encoded, made up by attributes within their own limits (500 characters each).</summary>
    public static Touchpoint Sized(string customerId, DateTimeOffset at, int bytes)
    {
        var touchpoint = Contact(customerId, TouchpointKind.Visit, Channel.Web, at);
        for (var i = 0; touchpoint.CalculateSize() < bytes; i++)
        {
            var key = $"a{i:00}";
            touchpoint.Attributes[key] = "";
            var room = bytes - touchpoint.CalculateSize();
            var value = new string('n', Math.Min(500, room));
            touchpoint.Attributes[key] = value;
            // The value's length prefix grows by a byte or two with it.
            while (touchpoint.CalculateSize() > bytes)
            {
                value = value[..^1];
                touchpoint.Attributes[key] = value;
            }
        }

        Assert.Equal(bytes, touchpoint.CalculateSize());
        return touchpoint;
    }
}

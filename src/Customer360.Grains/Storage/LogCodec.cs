using System.Text.Json;
using System.Text.Json.Serialization;
using Customer360.Domain.Customers;

namespace Customer360.Grains.Storage;

/// <summary>
/// How touchpoints and profile changes are written in the log's payload column: JSON, so that
/// the source of truth stays readable with plain SQL and outlives any binary format. Enums are
/// written as their numbers, which match the public API's.
/// </summary>
public static class LogCodec
{
    public static string Encode(Touchpoint touchpoint) => JsonSerializer.Serialize(touchpoint, LogJson.Default.Touchpoint);

    public static string Encode(ProfilePatch patch) => JsonSerializer.Serialize(patch, LogJson.Default.ProfilePatch);

    public static CustomerLogEntry Decode(string customerId, long sequence, LogEntryKind kind, DateTimeOffset recordedAt, long fingerprint, string payload) =>
        kind switch
        {
            LogEntryKind.Touchpoint => new CustomerLogEntry
            {
                CustomerId = customerId,
                Sequence = sequence,
                RecordedAt = recordedAt,
                Touchpoint = DecodeTouchpoint(payload),
                Fingerprint = fingerprint,
                Payload = payload,
            },
            LogEntryKind.Profile => new CustomerLogEntry
            {
                CustomerId = customerId,
                Sequence = sequence,
                RecordedAt = recordedAt,
                Profile = JsonSerializer.Deserialize(payload, LogJson.Default.ProfilePatch) ?? new ProfilePatch(),
                Payload = payload,
            },
            _ => throw new InvalidDataException($"Customer '{customerId}' has a log entry {sequence} of unknown kind {(int)kind}."),
        };

    public static Touchpoint DecodeTouchpoint(string payload) =>
        JsonSerializer.Deserialize(payload, LogJson.Default.Touchpoint)
        ?? throw new InvalidDataException("A logged touchpoint is empty.");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Touchpoint))]
[JsonSerializable(typeof(ProfilePatch))]
internal sealed partial class LogJson : JsonSerializerContext;

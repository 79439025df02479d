using System.Text.Json;
using System.Text.Json.Serialization;
using Customer360.Domain.Customers;

namespace Customer360.LoadTest.Workload;

/// <summary>
/// Writes a touchpoint the way the engine writes the <c>payload</c> column of its log: camel-case
/// JSON without null members, enums as numbers. The baselines then store rows of the same size.
/// </summary>
internal static class LogPayload
{
    public static string Encode(Touchpoint touchpoint) => JsonSerializer.Serialize(touchpoint, LogPayloadJson.Default.Touchpoint);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Touchpoint))]
internal sealed partial class LogPayloadJson : JsonSerializerContext;

using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Customer360.Contracts.Customers;

namespace Customer360.Server.Grpc;

/// <summary>
/// Page tokens are opaque to clients: base64url of "v1|ticks|event id", the keyset position of
/// the last touchpoint returned. They stay valid while new touchpoints arrive.
/// </summary>
public static class PageTokens
{
    private const string Version = "v1";

    public static string Encode(TouchpointCursor? cursor) =>
        cursor is null
            ? ""
            : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
                $"{Version}|{cursor.OccurredAtUtcTicks.ToString(CultureInfo.InvariantCulture)}|{cursor.EventId}"));

    public static TouchpointCursor? Decode(string token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('|', 3);
            if (parts.Length == 3 && parts[0] == Version
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                return new TouchpointCursor(ticks, parts[2]);
            }
        }
        catch (FormatException)
        {
        }

        throw ApiValidation.Invalid("page_token", "is not a token this server issued");
    }
}

using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Customer360.Api.V1;
using Customer360.Contracts.Customers;

namespace Customer360.Server.Grpc;

/// <summary>
/// Page tokens are opaque to clients: base64url of "v2|ticks|query|event id", the keyset
/// position of the last touchpoint returned and a digest of the query it was returned for (the
/// customer, the channel and kind filters, the time range; not the page size, which may change
/// from page to page). They stay valid while new touchpoints arrive. A token sent with another
/// customer or other filters is refused: a position in one list means nothing in another, and
/// a client that changed its filters between pages would otherwise skip or repeat touchpoints
/// without being told. Tokens of the first form, "v1|ticks|event id", from servers before the
/// digest was added, are still taken as they were (a rolling upgrade).
/// </summary>
public static class PageTokens
{
    private const string Version = "v2";

    private const string FirstVersion = "v1";

    public static string Encode(TouchpointCursor? cursor, ListTouchpointsRequest request) =>
        cursor is null
            ? ""
            : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"{Version}|{cursor.OccurredAtUtcTicks}|{QueryOf(request):x16}|{cursor.EventId}")));

    /// <summary>The position <paramref name="request"/>'s page token holds; INVALID_ARGUMENT naming <c>page_token</c> if it is not one this query was given.</summary>
    public static TouchpointCursor? Decode(ListTouchpointsRequest request)
    {
        var token = request.PageToken;
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        string[] parts;
        try
        {
            parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('|', 4);
        }
        catch (FormatException)
        {
            throw NotIssued();
        }

        if (parts is [FirstVersion, var firstTicks, var firstEventId] && Ticks(firstTicks) is { } before)
        {
            return new TouchpointCursor(before, firstEventId);
        }

        if (parts is not [Version, var ticks, var query, var eventId] || Ticks(ticks) is not { } at
            || !ulong.TryParse(query, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var digest))
        {
            throw NotIssued();
        }

        return digest == QueryOf(request)
            ? new TouchpointCursor(at, eventId)
            : throw ApiValidation.Invalid("page_token", "was given for another customer or other filters; start again without a token");
    }

    private static long? Ticks(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : null;

    private static Exception NotIssued() => ApiValidation.Invalid("page_token", "is not a token this server issued");

    /// <summary>
    /// A digest of what the list is of. The filters' values are taken in order of value, since
    /// their order in the request means nothing; each is given once (checked before this).
    /// </summary>
    private static ulong QueryOf(ListTouchpointsRequest request)
    {
        var hash = new XxHash64();
        hash.Append(Encoding.UTF8.GetBytes(request.CustomerId));
        void Add(long value)
        {
            Span<byte> number = stackalloc byte[sizeof(long)];
            BinaryPrimitives.WriteInt64LittleEndian(number, value);
            hash.Append(number);
        }

        Add(-1);
        foreach (var channel in request.Channels.Select(c => (long)c).Order())
        {
            Add(channel);
        }

        Add(-2);
        foreach (var kind in request.Kinds.Select(k => (long)k).Order())
        {
            Add(kind);
        }

        Add(-3);
        Add(request.OccurredFrom is { } from ? from.ToDateTimeOffset().UtcTicks : -1);
        Add(request.OccurredTo is { } to ? to.ToDateTimeOffset().UtcTicks : -1);
        return hash.GetCurrentHashAsUInt64();
    }
}

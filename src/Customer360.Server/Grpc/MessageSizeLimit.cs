using System.Globalization;
using Google.Protobuf;
using Grpc.Core;

namespace Customer360.Server.Grpc;

/// <summary>
/// The largest request message the API takes ("Customer360:Grpc:MaxMessageBytes"), and the
/// larger size up to which the server still reads a message so that it can refuse it on its
/// own. gRPC itself ends a call whose message is larger than it reads; on a touchpoint stream
/// that would also end every touchpoint still to come, so the server reads up to
/// <see cref="ReadBytes"/> and refuses a message between the two limits alone: a unary or watch
/// request with RESOURCE_EXHAUSTED, a stream message with a REJECTED ack for each of its
/// touchpoints, after which the stream goes on.
/// </summary>
public sealed class MessageSizeLimit
{
    public const string Setting = "Customer360:Grpc:MaxMessageBytes";

    /// <summary>How many times the limit a message may be and still be read and refused alone.</summary>
    public const int ReadFactor = 4;

    public const int SmallestLimit = 1024;

    public const int LargestLimit = 256 * 1024 * 1024;

    public MessageSizeLimit(int bytes)
    {
        if (Problem(bytes) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        Bytes = bytes;
    }

    /// <summary>The largest message accepted.</summary>
    public int Bytes { get; }

    /// <summary>The largest message gRPC reads (gRPC's own receive limit); beyond it the call ends.</summary>
    public int ReadBytes => Bytes * ReadFactor;

    /// <summary>Why a setting cannot be used, or null.</summary>
    public static string? Problem(int bytes) =>
        bytes is >= SmallestLimit and <= LargestLimit
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"{Setting} must be from {SmallestLimit:N0} to {LargestLimit:N0}, got {bytes:N0}");

    /// <summary>The refusal of a message above the limit, or null when it is within it.</summary>
    public Status? Check(IMessage message) => Check(message, out _);

    /// <summary>The refusal of a message above the limit, or null when it is within it; and the message's size, encoded.</summary>
    public Status? Check(IMessage message, out int size)
    {
        size = message.CalculateSize();
        return size <= Bytes
            ? null
            : new Status(StatusCode.ResourceExhausted, string.Create(CultureInfo.InvariantCulture, $"request: the message is {size:N0} bytes; the server accepts at most {Bytes:N0} ({Setting})"));
    }
}

/// <summary>
/// Refuses a unary call's or a watch's request above <see cref="MessageSizeLimit.Bytes"/>, before
/// anything is done with it. Stream messages are checked one by one where they are taken.
/// </summary>
public sealed class MessageSizeInterceptor(MessageSizeLimit limit) : RequestCheckInterceptor
{
    protected override void Check(object request)
    {
        if (request is IMessage message && limit.Check(message) is { } refusal)
        {
            throw new RpcException(refusal);
        }
    }
}

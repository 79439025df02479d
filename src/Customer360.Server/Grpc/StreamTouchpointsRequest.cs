namespace Customer360.Api.V1;

/// <summary>What the server reads from a message of a touchpoint stream, beside what protobuf generates.</summary>
public sealed partial class StreamTouchpointsRequest
{
    /// <summary>How many acks the message is answered with: one per touchpoint it carries, or one when it carries none.</summary>
    public int AckCount => Math.Max(1, Touchpoints.Count + (Touchpoint is null ? 0 : 1));
}

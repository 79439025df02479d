namespace Customer360.LoadTest.Engine;

/// <summary>What one stream sent and what came back. Written by the stream's own loops only.</summary>
internal sealed class StreamTally
{
    /// <summary>Rejections kept word for word per stream; the rest are only counted.</summary>
    public const int RejectionSamples = 5;

    public int Sent { get; set; }

    public int Accepted { get; set; }

    public int Duplicate { get; set; }

    public int Rejected { get; set; }

    public int Acknowledged => Accepted + Duplicate + Rejected;

    /// <summary>Sent but never answered, because the stream broke.</summary>
    public int Unacknowledged => Sent - Acknowledged;

    /// <summary>Why the stream ended early, if it did.</summary>
    public string? Error { get; set; }

    public List<string> RejectionReasons { get; } = [];
}

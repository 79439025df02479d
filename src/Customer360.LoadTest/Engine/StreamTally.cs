namespace Customer360.LoadTest.Engine;

/// <summary>What one stream sent and what came back. Written by the stream's own loops only.</summary>
internal sealed class StreamTally
{
    /// <summary>Rejections kept word for word per stream; the rest are only counted.</summary>
    public const int RejectionSamples = 5;

    public int Sent { get; set; }

    /// <summary>Messages the <see cref="Sent"/> touchpoints travelled in.</summary>
    public int Messages { get; set; }

    public int Accepted { get; set; }

    public int Duplicate { get; set; }

    public int Rejected { get; set; }

    public int Acknowledged => Accepted + Duplicate + Rejected;

    /// <summary>Sent but never answered, because the stream broke.</summary>
    public int Unacknowledged => Sent - Acknowledged;

    /// <summary>
    /// Times the server refused the stream for now as it opened and it was opened again after the
    /// wait asked for (a last refusal it gave up on is in <see cref="Error"/>).
    /// </summary>
    public int RefusalsWaitedOut { get; set; }

    /// <summary>Why the stream ended early, if it did.</summary>
    public string? Error { get; set; }

    public List<string> RejectionReasons { get; } = [];

    /// <summary>Event ids acknowledged as durable (accepted, or duplicate of one recorded before).</summary>
    public HashSet<string> Applied { get; } = new(StringComparer.Ordinal);

    /// <summary>Event ids that got any answer, rejections included; the rest of those sent have no known outcome.</summary>
    public HashSet<string> Answered { get; } = new(StringComparer.Ordinal);
}

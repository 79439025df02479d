namespace Customer360.Cli.Import;

/// <summary>Why one record of an import was not applied.</summary>
/// <param name="LineNumber">Line in the file, from 1.</param>
/// <param name="Id">The record's event id or customer id, when it has one.</param>
/// <param name="Reason">What was wrong, naming the field.</param>
/// <param name="Field">The offending field as the server names it, when the server refused it.</param>
/// <param name="Code">The gRPC status a single call would have failed with; empty when the line could not be read.</param>
internal sealed record ImportRejection(int LineNumber, string Id, string Reason, string Field, string Code);

/// <summary>
/// The running count of an import. Safe to update from the thread that sends and the one that
/// reads acknowledgements at once.
/// </summary>
internal sealed class ImportTally
{
    /// <summary>Rejections kept in full; beyond this only the count grows, so a bad file cannot exhaust memory.</summary>
    public const int MaxKeptRejections = 10_000;

    private readonly Lock _lock = new();
    private readonly List<ImportRejection> _rejections = [];
    private long _accepted;
    private long _duplicate;
    private long _unchanged;
    private long _rejected;

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Duplicate => Interlocked.Read(ref _duplicate);

    /// <summary>Profiles the server found already as the file has them: nothing was written.</summary>
    public long Unchanged => Interlocked.Read(ref _unchanged);

    public long Rejected => Interlocked.Read(ref _rejected);

    public long Processed => Accepted + Duplicate + Unchanged + Rejected;

    /// <summary>Records sent whose fate is unknown because the stream ended before their acknowledgement.</summary>
    public long Unacknowledged { get; set; }

    public IReadOnlyList<ImportRejection> Rejections
    {
        get
        {
            lock (_lock)
            {
                return [.. _rejections.OrderBy(r => r.LineNumber)];
            }
        }
    }

    public bool Clean => Rejected == 0 && Unacknowledged == 0;

    public void AddAccepted() => Interlocked.Increment(ref _accepted);

    public void AddDuplicate() => Interlocked.Increment(ref _duplicate);

    public void AddUnchanged() => Interlocked.Increment(ref _unchanged);

    public void AddRejected(ImportRejection rejection)
    {
        lock (_lock)
        {
            if (_rejections.Count < MaxKeptRejections)
            {
                _rejections.Add(rejection);
            }
        }

        Interlocked.Increment(ref _rejected);
    }
}

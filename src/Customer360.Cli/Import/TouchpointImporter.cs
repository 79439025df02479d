using System.Collections.Concurrent;
using Customer360.Api.V1;
using Grpc.Core;

namespace Customer360.Cli.Import;

/// <summary>
/// Sends touchpoints down one StreamTouchpoints call while reading the acknowledgements as they
/// come back. The server acknowledges in order, so keeping a window of touchpoints in flight
/// hides the round trip without losing track of which ack belongs to which line.
/// </summary>
/// <remarks>
/// A re-run of the same file is safe: event ids are the idempotency key, so touchpoints already
/// applied come back as DUPLICATE and nothing is counted twice.
/// </remarks>
internal sealed class TouchpointImporter(int window = TouchpointImporter.DefaultWindow)
{
    public const int DefaultWindow = 64;

    private static readonly TimeSpan ReaderGrace = TimeSpan.FromSeconds(5);

    private readonly int _window = window > 0 ? window : throw new ArgumentOutOfRangeException(nameof(window));

    /// <summary>Called after every record is settled (acknowledged, or rejected without being sent).</summary>
    public Action<ImportTally>? Progress { get; set; }

    /// <summary>The running count; still readable when a run is cancelled part way.</summary>
    public ImportTally Tally { get; } = new();

    public async Task<ImportTally> RunAsync(
        IEnumerable<ParsedLine<Touchpoint>> lines,
        IClientStreamWriter<StreamTouchpointsRequest> requests,
        IAsyncStreamReader<TouchpointAck> acks,
        CancellationToken cancellationToken)
    {
        var tally = Tally;
        var pending = new ConcurrentQueue<InFlight>();
        using var slots = new SemaphoreSlim(_window, _window);
        using var readerDone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var reader = Task.Run(
            async () =>
            {
                try
                {
                    await ReadAcksAsync(acks, pending, slots, tally, cancellationToken);
                }
                finally
                {
                    // Wakes a sender waiting for a free slot if the server ends the stream early.
                    await readerDone.CancelAsync();
                }
            },
            CancellationToken.None);

        long sequence = 0;
        foreach (var line in lines)
        {
            if (line.Message is null)
            {
                tally.AddRejected(new ImportRejection(line.LineNumber, line.EventId ?? string.Empty, line.Error ?? "unreadable", string.Empty, string.Empty));
                Progress?.Invoke(tally);
                continue;
            }

            var request = new StreamTouchpointsRequest { Touchpoint = line.Message };
            var inFlight = new InFlight(sequence++, line.LineNumber, line.Message.EventId);
            await SendAsync(
                async () =>
                {
                    await slots.WaitAsync(readerDone.Token);
                    pending.Enqueue(inFlight);
                    // The call itself carries the cancellation token, so a plain write is cancelled with it.
                    await requests.WriteAsync(request);
                },
                reader,
                tally,
                cancellationToken);
        }

        await SendAsync(requests.CompleteAsync, reader, tally, cancellationToken);
        await reader;
        tally.Unacknowledged = pending.Count;
        return tally;
    }

    /// <summary>
    /// Runs one send step. When the server ends the stream under the sender, the reader holds the
    /// reason (the call's status), so that is what surfaces rather than a bare write failure.
    /// </summary>
    private static async Task SendAsync(Func<Task> send, Task reader, ImportTally tally, CancellationToken cancellationToken)
    {
        try
        {
            await send();
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            if (await Task.WhenAny(reader, Task.Delay(ReaderGrace, CancellationToken.None)) != reader)
            {
                throw;
            }

            await reader;
            throw new ImportStreamException(
                $"the server ended the stream after {tally.Processed} record(s); re-run the import to send the rest");
        }
    }

    private async Task ReadAcksAsync(
        IAsyncStreamReader<TouchpointAck> acks,
        ConcurrentQueue<InFlight> pending,
        SemaphoreSlim slots,
        ImportTally tally,
        CancellationToken cancellationToken)
    {
        while (await acks.MoveNext(cancellationToken))
        {
            var ack = acks.Current;
            if (!pending.TryDequeue(out var sent))
            {
                throw new ImportStreamException($"the server acknowledged event '{ack.EventId}' that was never sent");
            }

            if ((ack.EventId.Length > 0 && ack.EventId != sent.EventId) || (ack.Sequence != 0 && ack.Sequence != sent.Sequence))
            {
                throw new ImportStreamException(
                    $"acknowledgement out of order: expected event '{sent.EventId}' (#{sent.Sequence}), got '{ack.EventId}' (#{ack.Sequence})");
            }

            switch (ack.Status)
            {
                case AckStatus.Accepted:
                    tally.AddAccepted();
                    break;
                case AckStatus.Duplicate:
                    tally.AddDuplicate();
                    break;
                default:
                    tally.AddRejected(new ImportRejection(
                        sent.LineNumber,
                        sent.EventId,
                        ack.Reason.Length > 0 ? ack.Reason : $"status {ack.Status}",
                        ack.Field,
                        ack.Code == 0 ? string.Empty : Mapping.ProtoValues.FormatStatusCode((StatusCode)ack.Code)));
                    break;
            }

            slots.Release();
            Progress?.Invoke(tally);
        }
    }

    private sealed record InFlight(long Sequence, int LineNumber, string EventId);
}

/// <summary>The touchpoint stream broke its promise of one acknowledgement per message, in order.</summary>
internal sealed class ImportStreamException(string message) : Exception(message);

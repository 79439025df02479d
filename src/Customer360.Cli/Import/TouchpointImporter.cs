using System.Collections.Concurrent;
using Customer360.Api.V1;
using Customer360.Clients;
using Grpc.Core;

namespace Customer360.Cli.Import;

/// <summary>
/// Sends touchpoints down one StreamTouchpoints call while reading the acknowledgements as they
/// come back. The server acknowledges in order, so keeping a window of touchpoints in flight
/// hides the round trip without losing track of which ack belongs to which line.
/// </summary>
/// <remarks>
/// <para>
/// A re-run of the same file is safe: event ids are the idempotency key, so touchpoints already
/// applied come back as DUPLICATE and nothing is counted twice.
/// </para>
/// <para>
/// A stream the server refuses for now as it opens (RESOURCE_EXHAUSTED with
/// <c>grpc-retry-pushback-ms</c>: no token of the key's rate limit left to open it, or as many
/// streams open as the server allows) is opened again after the wait the server asks for, at
/// most <see cref="RetryPushback.LongestWait"/> a time, and what was sent on it is sent again first. The
/// server applies nothing of a stream it refuses, and each touchpoint is counted only from the
/// ack of the stream that took it. Only a stream that has not acknowledged anything yet: one
/// that ends later, for whatever reason, ends the import as before. Once the waits come to
/// <c>longestRefusal</c> in all (the server stays full, or the key's rate is too slow for a
/// stream to open), the import gives up with the server's refusal and how long it waited.
/// </para>
/// </remarks>
internal sealed class TouchpointImporter(int window = TouchpointImporter.DefaultWindow, TimeSpan? longestRefusal = null)
{
    public const int DefaultWindow = 64;

    private static readonly TimeSpan ReaderGrace = TimeSpan.FromSeconds(5);

    private readonly int _window = window > 0 ? window : throw new ArgumentOutOfRangeException(nameof(window));


    /// <summary>Called after every record is settled (acknowledged, or rejected without being sent).</summary>
    public Action<ImportTally>? Progress { get; set; }

    /// <summary>Called when the stream was refused for now, with the refusal and the wait before it is opened again.</summary>
    public Action<RpcException, TimeSpan>? Refused { get; set; }

    /// <summary>The running count; still readable when a run is cancelled part way.</summary>
    public ImportTally Tally { get; } = new();

    /// <summary>Sends <paramref name="lines"/> down the stream <paramref name="open"/> opens, opening it again while it is refused for now.</summary>
    public async Task<ImportTally> RunAsync(
        IEnumerable<ParsedLine<Touchpoint>> lines,
        Func<CancellationToken, AsyncDuplexStreamingCall<StreamTouchpointsRequest, TouchpointAck>> open,
        CancellationToken cancellationToken)
    {
        using var source = lines.GetEnumerator();
        IReadOnlyList<Outgoing> backlog = [];
        var waits = new RefusalWaits(longestRefusal);
        while (true)
        {
            var stream = new OneStream(backlog);
            try
            {
                using var call = open(cancellationToken);
                return await RunOnAsync(stream, source, call.RequestStream, call.ResponseStream, cancellationToken);
            }
            catch (RpcException ex) when (stream.RefusedAsItOpened(ex) && !cancellationToken.IsCancellationRequested)
            {
                if (waits.Next(ex) is not { } wait)
                {
                    throw new RpcException(
                        new Status(ex.StatusCode, string.Create(
                            System.Globalization.CultureInfo.InvariantCulture,
                            $"{ex.Status.Detail} (the stream was refused {waits.Refusals} times, {waits.Waited.TotalSeconds:0.#} s of waiting in all; import again later)")),
                        ex.Trailers);
                }

                backlog = stream.Unacknowledged();
                Refused?.Invoke(ex, wait);
                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    private async Task<ImportTally> RunOnAsync(
        OneStream stream,
        IEnumerator<ParsedLine<Touchpoint>> source,
        IClientStreamWriter<StreamTouchpointsRequest> requests,
        IAsyncStreamReader<TouchpointAck> acks,
        CancellationToken cancellationToken)
    {
        var tally = Tally;
        using var slots = new SemaphoreSlim(_window, _window);
        using var readerDone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var reader = stream.Reader = Task.Run(
            async () =>
            {
                try
                {
                    await ReadAcksAsync(acks, stream, slots, tally, cancellationToken);
                }
                finally
                {
                    // Wakes a sender waiting for a free slot if the server ends the stream early.
                    await readerDone.CancelAsync();
                }
            },
            CancellationToken.None);

        while (stream.TakeNext(source, this) is { } outgoing)
        {
            var request = new StreamTouchpointsRequest { Touchpoint = outgoing.Touchpoint };
            await SendAsync(
                async () =>
                {
                    await slots.WaitAsync(readerDone.Token);
                    stream.MarkSent(outgoing);
                    // The call itself carries the cancellation token, so a plain write is cancelled with it.
                    await requests.WriteAsync(request);
                },
                reader,
                tally,
                cancellationToken);
        }

        await SendAsync(requests.CompleteAsync, reader, tally, cancellationToken);
        await reader;
        tally.Unacknowledged = stream.Pending.Count;
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
        OneStream stream,
        SemaphoreSlim slots,
        ImportTally tally,
        CancellationToken cancellationToken)
    {
        while (await acks.MoveNext(cancellationToken))
        {
            var ack = acks.Current;
            if (!stream.Pending.TryDequeue(out var sent))
            {
                throw new ImportStreamException($"the server acknowledged event '{ack.EventId}' that was never sent");
            }

            stream.NoteAcknowledged();
            var eventId = sent.Outgoing.Touchpoint.EventId;
            if ((ack.EventId.Length > 0 && ack.EventId != eventId) || (ack.Sequence != 0 && ack.Sequence != sent.Sequence))
            {
                throw new ImportStreamException(
                    $"acknowledgement out of order: expected event '{eventId}' (#{sent.Sequence}), got '{ack.EventId}' (#{ack.Sequence})");
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
                        sent.Outgoing.LineNumber,
                        eventId,
                        ack.Reason.Length > 0 ? ack.Reason : $"status {ack.Status}",
                        ack.Field,
                        ack.Code == 0 ? string.Empty : Mapping.ProtoValues.FormatStatusCode((StatusCode)ack.Code)));
                    break;
            }

            slots.Release();
            Progress?.Invoke(tally);
        }
    }

    /// <summary>One line's touchpoint, to be sent.</summary>
    private sealed record Outgoing(int LineNumber, Touchpoint Touchpoint);

    /// <summary>A touchpoint sent on the stream, numbered as the server numbers it (<see cref="TouchpointAck.Sequence"/>).</summary>
    private sealed record InFlight(long Sequence, Outgoing Outgoing);

    /// <summary>
    /// What one stream has sent, and what it has yet to: first the touchpoints a refused stream
    /// before it left unacknowledged (<paramref name="backlog"/>), then the file's next lines.
    /// </summary>
    private sealed class OneStream(IReadOnlyList<Outgoing> backlog)
    {
        private int _next;
        private long _sequence;

        /// <summary>Taken to be sent, and not sent yet (waiting for a free slot in the window).</summary>
        private Outgoing? _taking;

        public ConcurrentQueue<InFlight> Pending { get; } = new();

        private volatile bool _acknowledged;

        public Task? Reader { get; set; }

        /// <summary>The next touchpoint to send, or null after the file's last; unreadable lines are rejected on the way.</summary>
        public Outgoing? TakeNext(IEnumerator<ParsedLine<Touchpoint>> source, TouchpointImporter importer)
        {
            if (_next < backlog.Count)
            {
                return _taking = backlog[_next++];
            }

            while (source.MoveNext())
            {
                var line = source.Current;
                if (line.Message is not null)
                {
                    return _taking = new Outgoing(line.LineNumber, line.Message);
                }

                importer.Tally.AddRejected(new ImportRejection(line.LineNumber, line.EventId ?? string.Empty, line.Error ?? "unreadable", string.Empty, string.Empty));
                importer.Progress?.Invoke(importer.Tally);
            }

            return null;
        }

        public void NoteAcknowledged() => _acknowledged = true;

        public void MarkSent(Outgoing outgoing)
        {
            Pending.Enqueue(new InFlight(_sequence++, outgoing));
            _taking = null;
        }

        /// <summary>
        /// Whether the server refused this stream for now as it opened: RESOURCE_EXHAUSTED with a
        /// wait, before it acknowledged anything. The reader has ended with the refusal, so what
        /// is pending no longer changes.
        /// </summary>
        public bool RefusedAsItOpened(RpcException ex) =>
            RetryPushback.IsPushback(ex) && Reader is { IsCompleted: true } && !_acknowledged;

        /// <summary>Everything this stream took and had not seen acknowledged, in the file's order.</summary>
        public IReadOnlyList<Outgoing> Unacknowledged() =>
            [.. Pending.Select(sent => sent.Outgoing), .. _taking is { } taking ? [taking] : Array.Empty<Outgoing>(), .. backlog.Skip(_next)];
    }
}

/// <summary>The touchpoint stream broke its promise of one acknowledgement per message, in order.</summary>
internal sealed class ImportStreamException(string message) : Exception(message);

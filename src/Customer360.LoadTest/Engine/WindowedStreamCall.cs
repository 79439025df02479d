using System.Diagnostics;
using Customer360.Clients;
using Grpc.Core;

namespace Customer360.LoadTest.Engine;

/// <summary>
/// The window logic of a bidirectional stream that answers every item it is sent, in order: a
/// writer loop sends items while a reader loop takes the answers, with at most <c>window</c>
/// items un-answered at any time. With an <see cref="OfferedRatePacer"/> each item is sent at its
/// due time (or at once, if its sender fell behind); with <c>batch</c> above 1 a message carries
/// several items, the first waiting for its turn and a window slot, more joining it only while
/// they are ready at once (due, with a free slot), so that a message never waits to fill up.
/// </summary>
/// <remarks>
/// What a message holds and what an answer means is left to the caller:
/// <c>compose</c> builds the message for items [first, first + dues.Count), given each item's due
/// time (its send time without a pacer) and the send time; <c>answer</c> takes one response with
/// the time it arrived and returns how many items it answered (each frees a window slot), or
/// throws <see cref="EngineStreamException"/> when the stream broke its promise.
/// <para>
/// A call the server refuses for now as it opens (RESOURCE_EXHAUSTED with
/// <c>grpc-retry-pushback-ms</c>: no token of the API key's rate limit left to open it, or as
/// many touchpoint streams open as the server allows) is opened again after the wait the server
/// asks for, at most <see cref="RetryPushback.LongestWait"/> a time, as <c>c360 import</c> does, when the caller
/// takes refusals (<c>refused</c>). Only a call that has had no answer at all: so everything it
/// was sent is sent again, from the first item, and the caller, told of the refusal before the
/// wait, forgets what it noted as sent (the server applied none of it). Each item keeps the due
/// time of its first turn, so the wait counts in its latency from the schedule, and the pacer
/// hands out no new turns for it. Once the waits would pass <c>longestRefusal</c> in all, the
/// stream fails with the refusal and how long it waited.
/// </para>
/// </remarks>
internal sealed class WindowedStreamCall<TRequest, TResponse>(int window, int batch, OfferedRatePacer? pacer, TimeSpan? longestRefusal = null)
{
    /// <summary>How long a broken send waits for the reader to learn the call's status.</summary>
    private static readonly TimeSpan ReaderGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sends <paramref name="items"/> items on the call <paramref name="open"/> opens and reads
    /// every answer, opening it again while it is refused for now if <paramref name="refused"/>
    /// is given (called with the refusal and the wait before it is opened again); returns why the
    /// stream ended early, or null when the call ran to its end (which the caller still has to
    /// hold against what it sent).
    /// </summary>
    public async Task<string?> RunAsync(
        Func<CancellationToken, AsyncDuplexStreamingCall<TRequest, TResponse>> open,
        int items,
        Func<int, IReadOnlyList<long>, long, TRequest> compose,
        Func<TResponse, long, int> answer,
        Action<RpcException, TimeSpan>? refused,
        CancellationToken cancellationToken)
    {
        // Under a pacer, the due time of each item taken so far, kept for a call opened again.
        var turns = pacer is null ? null : new Turns(pacer);
        var waits = new RefusalWaits(longestRefusal);
        while (true)
        {
            var attempt = new Attempt(turns);
            using (var call = open(cancellationToken))
            {
                await RunOnAsync(call, attempt, items, compose, answer, cancellationToken);
            }

            if (refused is null || attempt.Failure is not { } refusal || !RetryPushback.IsPushback(refusal) || attempt.Answered)
            {
                return attempt.Error;
            }

            if (waits.Next(refusal) is not { } wait)
            {
                return string.Create(
                    System.Globalization.CultureInfo.InvariantCulture,
                    $"{attempt.Error} (refused {waits.Refusals} times as it opened, {waits.Waited.TotalSeconds:0.#} s of waiting in all)");
            }

            refused(refusal, wait);
            await Task.Delay(wait, cancellationToken);
        }
    }

    /// <summary>Sends and reads on one call, noting on <paramref name="attempt"/> how it ended.</summary>
    private async Task RunOnAsync(
        AsyncDuplexStreamingCall<TRequest, TResponse> call,
        Attempt attempt,
        int items,
        Func<int, IReadOnlyList<long>, long, TRequest> compose,
        Func<TResponse, long, int> answer,
        CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(window, window);
        using var readerEnded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var reader = Task.Run(
            async () =>
            {
                try
                {
                    await ReadAsync(call.ResponseStream, answer, slots, attempt, cancellationToken);
                }
                finally
                {
                    // Wakes the writer if it waits for a slot that will never free up.
                    await readerEnded.CancelAsync();
                }
            },
            CancellationToken.None);

        try
        {
            var dues = new List<long>(batch);
            var next = 0;
            while (next < items)
            {
                dues.Clear();
                var first = next;
                dues.Add(attempt.Turns is { } turns ? await turns.WaitForAsync(next, readerEnded.Token) : 0);
                await slots.WaitAsync(readerEnded.Token);
                next++;
                while (dues.Count < batch && next < items && slots.Wait(0))
                {
                    var due = 0L;
                    if (attempt.Turns is { } ready && !ready.TryTakeDue(next, out due))
                    {
                        slots.Release();
                        break;
                    }

                    dues.Add(due);
                    next++;
                }

                var sentAt = Stopwatch.GetTimestamp();
                if (pacer is null)
                {
                    // Without a schedule, an item is due when it is sent.
                    for (var i = 0; i < dues.Count; i++)
                    {
                        dues[i] = sentAt;
                    }
                }

                await call.RequestStream.WriteAsync(compose(first, dues, sentAt));
            }

            await call.RequestStream.CompleteAsync();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The call broke under the writer; the reader holds the reason (the call's status).
            if (await Task.WhenAny(reader, Task.Delay(ReaderGrace, CancellationToken.None)) != reader)
            {
                attempt.Error ??= $"sending failed: {ex.Message}";
            }
        }

        try
        {
            await reader;
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            attempt.Failure = ex;
            attempt.Error ??= $"stream failed with {ex.StatusCode}: {ex.Status.Detail}";
        }
        catch (EngineStreamException ex)
        {
            attempt.Error ??= ex.Message;
        }
    }

    private static async Task ReadAsync(IAsyncStreamReader<TResponse> responses, Func<TResponse, long, int> answer, SemaphoreSlim slots, Attempt attempt, CancellationToken cancellationToken)
    {
        while (await responses.MoveNext(cancellationToken))
        {
            attempt.NoteAnswered();
            var receivedAt = Stopwatch.GetTimestamp();
            var answered = answer(responses.Current, receivedAt);
            if (answered > 0)
            {
                slots.Release(answered);
            }
        }
    }

    /// <summary>How one call ended.</summary>
    private sealed class Attempt(Turns? turns)
    {
        private volatile bool _answered;

        public Turns? Turns { get; } = turns;

        /// <summary>Whether the server answered anything on this call: one that did is never opened again.</summary>
        public bool Answered => _answered;

        public string? Error { get; set; }

        /// <summary>The status the call ended with, when it failed.</summary>
        public RpcException? Failure { get; set; }

        public void NoteAnswered()
        {
            if (!_answered)
            {
                _answered = true;
                // Nothing will be sent again now: the due times need not be kept.
                Turns?.StopKeeping();
            }
        }
    }

    /// <summary>
    /// Each item's turn under the pacer, taken the first time the item is about to be sent and
    /// kept (until the call is answered), so that an item sent again on a call opened after a
    /// refusal is still due when it first was.
    /// </summary>
    private sealed class Turns(OfferedRatePacer pacer)
    {
        private readonly List<long> _dues = [];
        private volatile bool _keeping = true;

        /// <summary>Item <paramref name="index"/>'s due time, its turn taken if it has none yet, once it is due.</summary>
        public async ValueTask<long> WaitForAsync(int index, CancellationToken cancellationToken)
        {
            var due = DueOf(index) ?? Take(pacer.TakeTurn());
            await OfferedRatePacer.WaitUntilAsync(due, cancellationToken);
            return due;
        }

        /// <summary>Item <paramref name="index"/>'s due time if it is due already, its turn taken if it has none yet.</summary>
        public bool TryTakeDue(int index, out long due)
        {
            if (DueOf(index) is { } kept)
            {
                due = kept;
                return due <= Stopwatch.GetTimestamp();
            }

            if (!pacer.TryTakeDueTurn(out due))
            {
                return false;
            }

            Take(due);
            return true;
        }

        public void StopKeeping() => _keeping = false;

        // Only the writer reads and adds. Items are taken in order, and a call opened again starts
        // from the first, so an item not kept is one whose turn was never taken.
        private long? DueOf(int index) => index < _dues.Count ? _dues[index] : null;

        private long Take(long due)
        {
            if (_keeping)
            {
                _dues.Add(due);
            }

            return due;
        }
    }
}

/// <summary>The stream broke its promise of one answer per item, in order.</summary>
internal sealed class EngineStreamException(string message) : Exception(message);

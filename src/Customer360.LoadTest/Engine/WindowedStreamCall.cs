using System.Diagnostics;
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
/// </remarks>
internal sealed class WindowedStreamCall<TRequest, TResponse>(int window, int batch, OfferedRatePacer? pacer)
{
    /// <summary>How long a broken send waits for the reader to learn the call's status.</summary>
    private static readonly TimeSpan ReaderGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sends <paramref name="items"/> items on <paramref name="call"/> and reads every answer;
    /// returns why the stream ended early, or null when the call ran to its end (which the caller
    /// still has to hold against what it sent).
    /// </summary>
    public async Task<string?> RunAsync(
        AsyncDuplexStreamingCall<TRequest, TResponse> call,
        int items,
        Func<int, IReadOnlyList<long>, long, TRequest> compose,
        Func<TResponse, long, int> answer,
        CancellationToken cancellationToken)
    {
        string? error = null;
        using var slots = new SemaphoreSlim(window, window);
        using var readerEnded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var reader = Task.Run(
            async () =>
            {
                try
                {
                    await ReadAsync(call.ResponseStream, answer, slots, cancellationToken);
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
                dues.Add(pacer is null ? 0 : await pacer.WaitForTurnAsync(readerEnded.Token));
                await slots.WaitAsync(readerEnded.Token);
                next++;
                while (dues.Count < batch && next < items && slots.Wait(0))
                {
                    var due = 0L;
                    if (pacer is not null && !pacer.TryTakeDueTurn(out due))
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
                error ??= $"sending failed: {ex.Message}";
            }
        }

        try
        {
            await reader;
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            error ??= $"stream failed with {ex.StatusCode}: {ex.Status.Detail}";
        }
        catch (EngineStreamException ex)
        {
            error ??= ex.Message;
        }

        return error;
    }

    private static async Task ReadAsync(IAsyncStreamReader<TResponse> responses, Func<TResponse, long, int> answer, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        while (await responses.MoveNext(cancellationToken))
        {
            var receivedAt = Stopwatch.GetTimestamp();
            var answered = answer(responses.Current, receivedAt);
            if (answered > 0)
            {
                slots.Release(answered);
            }
        }
    }
}

/// <summary>The stream broke its promise of one answer per item, in order.</summary>
internal sealed class EngineStreamException(string message) : Exception(message);

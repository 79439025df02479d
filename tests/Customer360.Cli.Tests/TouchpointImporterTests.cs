using Customer360.Api.V1;
using Customer360.Cli.Import;
using Grpc.Core;

namespace Customer360.Cli.Tests;

public class TouchpointImporterTests
{
    private static IEnumerable<ParsedLine<Touchpoint>> Lines(int count, params int[] unreadableLines)
    {
        for (var line = 2; line < count + 2; line++)
        {
            yield return unreadableLines.Contains(line)
                ? ParsedLine<Touchpoint>.Failed(line, "occurred_at: not a timestamp", $"e-{line}")
                : ParsedLine<Touchpoint>.Ok(line, new Touchpoint { EventId = $"e-{line}", CustomerId = "C1" });
        }
    }

    private static TouchpointAck Accept(Touchpoint _) => new() { Status = AckStatus.Accepted };

    [Fact]
    public async Task NoMoreThanTheWindowIsEverInFlightAndTheWindowIsUsed()
    {
        var stream = new FakeTouchpointStream(batch: 4, Accept);

        var tally = await new TouchpointImporter(window: 4).RunAsync(Lines(50), stream.Open, CancellationToken.None);

        Assert.Equal(50, tally.Accepted);
        Assert.Equal(4, stream.MaxInFlight);
        Assert.True(tally.Clean);
    }

    [Fact]
    public async Task AcksAreMatchedToTheirLinesInOrder()
    {
        var stream = new FakeTouchpointStream(batch: 3, touchpoint => touchpoint.EventId switch
        {
            "e-3" => new TouchpointAck { Status = AckStatus.Duplicate },
            "e-6" => new TouchpointAck { Status = AckStatus.Rejected, Reason = "occurred_at is in the future", Field = "touchpoint.occurred_at", Code = 3 },
            _ => new TouchpointAck { Status = AckStatus.Accepted },
        });

        var tally = await new TouchpointImporter(window: 8).RunAsync(Lines(10), stream.Open, CancellationToken.None);

        Assert.Equal(8, tally.Accepted);
        Assert.Equal(1, tally.Duplicate);
        var rejection = Assert.Single(tally.Rejections);
        Assert.Equal(new ImportRejection(6, "e-6", "occurred_at is in the future", "touchpoint.occurred_at", "INVALID_ARGUMENT"), rejection);
        Assert.False(tally.Clean);
    }

    [Fact]
    public async Task UnreadableLinesAreRejectedLocallyAndNeverSent()
    {
        var stream = new FakeTouchpointStream(batch: 1, Accept);

        var tally = await new TouchpointImporter().RunAsync(Lines(6, 3, 5), stream.Open, CancellationToken.None);

        Assert.Equal(4, tally.Accepted);
        Assert.Equal(2, tally.Rejected);
        Assert.Equal([3, 5], tally.Rejections.Select(r => r.LineNumber));
        Assert.All(tally.Rejections, r => Assert.Equal(string.Empty, r.Code));
        Assert.DoesNotContain("e-3", stream.Received);
    }

    [Fact]
    public async Task ReimportOfAcceptedTouchpointsCountsOnlyDuplicates()
    {
        var applied = new HashSet<string>();
        TouchpointAck Idempotent(Touchpoint t) => new() { Status = applied.Add(t.EventId) ? AckStatus.Accepted : AckStatus.Duplicate };

        var first = new FakeTouchpointStream(batch: 5, Idempotent);
        await new TouchpointImporter().RunAsync(Lines(20), first.Open, CancellationToken.None);
        var second = new FakeTouchpointStream(batch: 5, Idempotent);
        var tally = await new TouchpointImporter().RunAsync(Lines(20), second.Open, CancellationToken.None);

        Assert.Equal(0, tally.Accepted);
        Assert.Equal(20, tally.Duplicate);
        Assert.True(tally.Clean);
    }

    [Fact]
    public async Task ServerEndingTheStreamEarlyIsReportedNotHung()
    {
        var stream = new FakeTouchpointStream(batch: 2, Accept, stopAfter: 6);

        var error = await Assert.ThrowsAsync<ImportStreamException>(
            () => new TouchpointImporter(window: 4).RunAsync(Lines(100), stream.Open, CancellationToken.None));

        Assert.Contains("re-run", error.Message);
    }

    [Fact]
    public async Task ProgressIsReportedForEveryRecord()
    {
        var stream = new FakeTouchpointStream(batch: 2, Accept);
        var reports = 0;

        await new TouchpointImporter { Progress = _ => Interlocked.Increment(ref reports) }
            .RunAsync(Lines(9, 4), stream.Open, CancellationToken.None);

        Assert.Equal(9, reports);
    }

    [Fact]
    public async Task CancelledImportKeepsTheCountSoFar()
    {
        var stream = new FakeTouchpointStream(batch: 1, Accept);
        using var cancel = new CancellationTokenSource();
        var importer = new TouchpointImporter(window: 2)
        {
            Progress = tally =>
            {
                if (tally.Processed == 10)
                {
                    cancel.Cancel();
                }
            },
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => importer.RunAsync(Lines(100), stream.Open, cancel.Token));

        Assert.InRange(importer.Tally.Accepted, 10, 12);
    }

    [Fact]
    public async Task AStreamRefusedForNowIsOpenedAgainAndEveryTouchpointIsSentAndCountedOnce()
    {
        // Refused as it opens, once with writes taken and once without: what the refused streams
        // took goes first on the stream the server takes, and each line is counted once.
        var taken = new FakeTouchpointStream(batch: 2, Accept);
        var refusals = new List<(string Detail, TimeSpan Wait)>();
        var importer = new TouchpointImporter(window: 4) { Refused = (refusal, wait) => refusals.Add((refusal.Status.Detail, wait)) };

        var tally = await importer.RunAsync(
            Lines(10, 5),
            FakeTouchpointStream.OneAfterTheOther(FakeTouchpointStream.Refusing("3", afterReceiving: 3), FakeTouchpointStream.Refusing("2"), taken),
            CancellationToken.None);

        Assert.Equal((9L, 0L, 1L), (tally.Accepted, tally.Duplicate, tally.Rejected));
        Assert.Equal(5, Assert.Single(tally.Rejections).LineNumber);
        Assert.Equal(0, tally.Unacknowledged);
        Assert.Equal(["e-2", "e-3", "e-4", "e-6", "e-7", "e-8", "e-9", "e-10", "e-11"], taken.Received);
        Assert.Equal(
            [
                ("this server has as many touchpoint streams open as it allows", TimeSpan.FromMilliseconds(3)),
                ("this server has as many touchpoint streams open as it allows", TimeSpan.FromMilliseconds(2)),
            ],
            refusals);
    }

    [Fact]
    public async Task AStreamThatAcknowledgedSomethingIsNotOpenedAgain()
    {
        // Only a refusal as the stream opens is waited out; one the server took and ended later ends the import.
        var opened = FakeTouchpointStream.OneAfterTheOther(FakeTouchpointStream.Refusing("1", afterReceiving: 3, acking: true));

        var ended = await Assert.ThrowsAsync<RpcException>(() => new TouchpointImporter(window: 4).RunAsync(Lines(10), opened, CancellationToken.None));

        Assert.Equal(StatusCode.ResourceExhausted, ended.StatusCode);
    }

    [Fact]
    public async Task ARefusalWithoutAWaitIsNotWaitedOut()
    {
        var final = new RpcException(new Status(StatusCode.ResourceExhausted, "no"));
        var opened = FakeTouchpointStream.OneAfterTheOther(new FakeTouchpointStream(batch: 1, Accept, stopAfter: 0, refusal: final));

        var ended = await Assert.ThrowsAsync<RpcException>(() => new TouchpointImporter().RunAsync(Lines(3), opened, CancellationToken.None));

        Assert.Same(final, ended);
    }

    [Fact]
    public async Task AStreamRefusedForLongerThanTheImportWaitsGivesUpSayingSo()
    {
        // Waits of 10 ms, 35 ms of them at most: three waits, and the fourth refusal is the last.
        var opened = FakeTouchpointStream.OneAfterTheOther(
            FakeTouchpointStream.Refusing("10"), FakeTouchpointStream.Refusing("10"), FakeTouchpointStream.Refusing("10"), FakeTouchpointStream.Refusing("10"));
        var importer = new TouchpointImporter(window: 4, longestRefusal: TimeSpan.FromMilliseconds(35));

        var gaveUp = await Assert.ThrowsAsync<RpcException>(() => importer.RunAsync(Lines(10), opened, CancellationToken.None));

        Assert.Equal(StatusCode.ResourceExhausted, gaveUp.StatusCode);
        Assert.Equal(
            "this server has as many touchpoint streams open as it allows (the stream was refused 4 times, 0 s of waiting in all; import again later)",
            gaveUp.Status.Detail);
        Assert.Equal(0, importer.Tally.Processed);
    }
}

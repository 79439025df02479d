using System.Collections.Concurrent;
using Customer360.Api.V1;
using Customer360.Cli.Import;
using Grpc.Core;

namespace Customer360.Cli.Tests;

public class ProfileImporterTests
{
    private static IEnumerable<ParsedLine<UpsertProfileRequest>> Lines(params string[] customerIds) =>
        customerIds.Select((id, i) => id.Length == 0
            ? ParsedLine<UpsertProfileRequest>.Failed(i + 1, "not a valid UpsertProfileRequest JSON object")
            : ParsedLine<UpsertProfileRequest>.Ok(i + 1, new UpsertProfileRequest { CustomerId = id }));

    [Fact]
    public async Task RefusedProfilesAreRecordedAgainstTheirLinesAndTheRestAreUpserted()
    {
        var upserted = new ConcurrentBag<string>();
        var importer = new ProfileImporter((request, _) =>
        {
            if (request.CustomerId == "bad")
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "emails[0]: not an email address"));
            }

            upserted.Add(request.CustomerId);
            return Task.FromResult(true);
        });

        var tally = await importer.RunAsync(Lines("C1", "bad", "", "C4"), CancellationToken.None);

        Assert.Equal(2, tally.Accepted);
        Assert.Equal(["C1", "C4"], upserted.Order());
        Assert.Equal([2, 3], tally.Rejections.Select(r => r.LineNumber));
        Assert.Equal("INVALID_ARGUMENT", tally.Rejections[0].Code);
        Assert.Equal("emails[0]: not an email address", tally.Rejections[0].Reason);
    }

    [Fact]
    public async Task ProfilesTheServerLeftAsTheyWereAreCountedAsUnchanged()
    {
        var stored = new ConcurrentDictionary<string, bool>();
        var importer = new ProfileImporter((request, _) => Task.FromResult(stored.TryAdd(request.CustomerId, true)));

        var first = await importer.RunAsync(Lines("C1", "C2", "C3"), CancellationToken.None);
        var firstCounts = (first.Accepted, first.Unchanged);
        var again = await new ProfileImporter((request, _) => Task.FromResult(stored.TryAdd(request.CustomerId, true)))
            .RunAsync(Lines("C1", "C2", "C4"), CancellationToken.None);

        Assert.Equal((3L, 0L), firstCounts);
        Assert.Equal((1L, 2L, 3L), (again.Accepted, again.Unchanged, again.Processed));
        Assert.True(again.Clean);
    }

    [Theory]
    [InlineData("false", false)]
    [InlineData("true", true)]
    [InlineData(null, true)]
    public void OnlyAServerThatSaysSoMakesAProfileUnchanged(string? trailer, bool changed)
    {
        var trailers = new Metadata();
        if (trailer is not null)
        {
            trailers.Add(ProfileChangedTrailer.Name, trailer);
        }

        Assert.Equal(changed, ProfileChangedTrailer.SaysChanged(trailers));
    }

    [Fact]
    public async Task UnreachableServerStopsTheImportAfterAFewTries()
    {
        var sent = 0;
        var importer = new ProfileImporter(
            (_, _) =>
            {
                Interlocked.Increment(ref sent);
                throw new RpcException(new Status(StatusCode.Unavailable, "connection refused"));
            },
            parallelism: 1,
            firstUnavailableWait: TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<RpcException>(() => importer.RunAsync(Lines("C1", "C2"), CancellationToken.None));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(ProfileImporter.UnavailableAttempts, sent);
    }

    [Fact]
    public async Task AProfileAnsweredUnavailableForAMomentIsSentAgainAndTheImportGoesOn()
    {
        var answers = new ConcurrentDictionary<string, int>();
        var importer = new ProfileImporter(
            (request, _) => request.CustomerId == "moving" && answers.AddOrUpdate(request.CustomerId, 1, (_, n) => n + 1) <= 2
                ? throw new RpcException(new Status(StatusCode.Unavailable, "the customer's state changed elsewhere; retry"))
                : Task.FromResult(true),
            firstUnavailableWait: TimeSpan.FromMilliseconds(1));

        var tally = await importer.RunAsync(Lines("C1", "moving", "C3"), CancellationToken.None);

        Assert.Equal((3L, 0L), (tally.Accepted, (long)tally.Rejections.Count));
        // Sent three times: answered UNAVAILABLE twice, then upserted.
        Assert.Equal(3, answers["moving"]);
    }

    [Fact]
    public async Task AProfileRefusedForTheKeysRateIsSentAgainAfterTheWaitTheServerAsksFor()
    {
        var refusals = new ConcurrentDictionary<string, int>();
        var importer = new ProfileImporter((request, _) =>
        {
            if (refusals.AddOrUpdate(request.CustomerId, 1, (_, n) => n + 1) <= 2)
            {
                throw new RpcException(
                    new Status(StatusCode.ResourceExhausted, "the API key 'k' is limited to 5 a second, bursts of 1; retry in 1 ms"),
                    new Metadata { { "grpc-retry-pushback-ms", "1" } });
            }

            return Task.FromResult(true);
        });

        var tally = await importer.RunAsync(Lines("C1", "C2"), CancellationToken.None);

        Assert.Equal((2L, 0L), (tally.Accepted, (long)tally.Rejections.Count));
        Assert.Equal(3, refusals["C1"]);
        Assert.Equal(3, refusals["C2"]);
    }

    [Fact]
    public async Task AProfileTooLargeForTheServerIsRecordedAgainstItsLineNotSentForever()
    {
        // The server refuses a message above its size limit with RESOURCE_EXHAUSTED too, but
        // without a wait to honour: the same profile would be refused again every time.
        var sent = new ConcurrentDictionary<string, int>();
        var importer = new ProfileImporter((request, _) =>
        {
            if (sent.AddOrUpdate(request.CustomerId, 1, (_, n) => n + 1) > 1)
            {
                throw new InvalidOperationException($"'{request.CustomerId}' was sent again");
            }

            if (request.CustomerId == "big")
            {
                throw new RpcException(new Status(
                    StatusCode.ResourceExhausted,
                    "request: the message is 2,048 bytes; the server accepts at most 1,024 (Customer360:Grpc:MaxMessageBytes)"));
            }

            return Task.FromResult(true);
        });

        var tally = await importer.RunAsync(Lines("C1", "big", "C3"), CancellationToken.None);

        Assert.Equal(2L, tally.Accepted);
        var rejection = Assert.Single(tally.Rejections);
        Assert.Equal((2, "big", "RESOURCE_EXHAUSTED"), (rejection.LineNumber, rejection.Id, rejection.Code));
        Assert.StartsWith("request: the message is 2,048 bytes", rejection.Reason);
    }
}

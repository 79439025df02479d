using System.Diagnostics.Metrics;
using Customer360.Api.V1;
using Customer360.Server.Security;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Keys with a rate limit, over a real Kestrel server and GrpcChannel: a call beyond the limit is
/// refused with RESOURCE_EXHAUSTED and applies nothing, a stream waits for its tokens and loses
/// nothing, and keys are limited separately. The limits refill so slowly here (one token in
/// 1,000 s) that no test depends on how fast anything runs.
/// </summary>
public sealed class RateLimitTests
{
    private const string LimitedKey = "limited-key-a41c";
    private const string OperatorKey = "unlimited-operator-key-0d93";

    [Fact]
    public async Task ACallBeyondItsKeysRateIsRefusedWithResourceExhaustedAndAppliesNothing()
    {
        await using var server = await StartAsync(roles: "till,agent", burst: 2);
        var limited = KeyedServerFixture.CustomersWith(server, LimitedKey);
        var id = NewCustomerId("limited");

        await limited.RecordTouchpointAsync(Record(Purchase(id, 10m)));
        await limited.RecordTouchpointAsync(Record(Purchase(id, 20m)));
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await limited.RecordTouchpointAsync(Record(Purchase(id, 40m))));
        var watchRefused = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var watch = limited.WatchCustomer(new WatchCustomerRequest { CustomerId = id });
            await watch.ResponseStream.MoveNext(CancellationToken.None);
        });

        // Another key is not held back by this one's limit.
        var operations = KeyedServerFixture.CustomersWith(server, OperatorKey);
        var view = await operations.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        await operations.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Matches(@"^the API key 'limited' is limited to 0\.001 a second, bursts of 2; retry in \d+ ms$", refused.Status.Detail);
        var pushback = long.Parse(refused.Trailers.GetValue(ApiKeyInterceptor.RetryPushbackTrailer)!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(pushback, 1, 1_000_000);
        Assert.Equal(StatusCode.ResourceExhausted, watchRefused.StatusCode);
        Assert.Equal((2L, "30.00"), (view.Version, view.Aggregates.NetSpend.Amount));
    }

    [Fact]
    public async Task AStreamOpenedWithItsKeyAtItsRateIsRefusedAndAppliesNothing()
    {
        // A till fleet reconnecting in a loop: each opening takes a token, as a watch's does, and
        // one that finds none is refused as it opens instead of waiting.
        await using var server = await StartAsync(roles: "till", burst: 1);
        var limited = KeyedServerFixture.CustomersWith(server, LimitedKey);
        var spent = NewCustomerId("limited-open-spent");
        var refusedId = NewCustomerId("limited-open");
        await limited.RecordTouchpointAsync(Record(Purchase(spent, 10m)));

        var refused = await RefusedOpeningAsync(limited.StreamTouchpoints(), Purchase(refusedId, 20m));
        var batchesRefused = await RefusedOpeningAsync(limited.StreamTouchpointBatches(), Purchase(refusedId, 40m));
        var neverApplied = await Assert.ThrowsAsync<RpcException>(async () =>
            await KeyedServerFixture.CustomersWith(server, OperatorKey).GetCustomerAsync(new GetCustomerRequest { CustomerId = refusedId }));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Matches(@"^the API key 'limited' is limited to 0\.001 a second, bursts of 1; retry in \d+ ms$", refused.Status.Detail);
        var pushback = long.Parse(refused.Trailers.GetValue(ApiKeyInterceptor.RetryPushbackTrailer)!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(pushback, 1, 1_000_000);
        Assert.Equal(StatusCode.ResourceExhausted, batchesRefused.StatusCode);
        Assert.Equal(StatusCode.NotFound, neverApplied.StatusCode);
    }

    [Fact]
    public async Task AnUnparsableCallTakesItsTokenAsAnyCallDoes()
    {
        await using var server = await StartAsync(roles: "till", burst: 1);
        var raw = Marshallers.Create<byte[]>(b => b, b => b);
        var record = new Method<byte[], byte[]>(MethodType.Unary, "customer360.v1.CustomerService", "RecordTouchpoint", raw, raw);
        var id = NewCustomerId("limited-unparsable");

        var unparsable = await Assert.ThrowsAsync<RpcException>(() => KeyedServerFixture.Sending(server, $"Bearer {LimitedKey}")
            .AsyncUnaryCall(record, null, default, UnparsableMessageTests.Unparsable("not-utf8", id)).ResponseAsync);
        var next = await Assert.ThrowsAsync<RpcException>(async () =>
            await KeyedServerFixture.CustomersWith(server, LimitedKey).RecordTouchpointAsync(Record(Purchase(id, 10m))));

        Assert.Equal(StatusCode.InvalidArgument, unparsable.StatusCode);
        Assert.Equal(StatusCode.ResourceExhausted, next.StatusCode);
    }

    [Fact]
    public async Task AStreamBeyondItsKeysRateWaitsAndGoesOnWhenTheLimitIsRaised()
    {
        // Four tokens: one for opening the stream, three for its first three touchpoints.
        await using var server = await StartAsync(roles: "till", burst: 4);
        var settings = (IConfigurationRoot)server.Services.GetRequiredService<IConfiguration>();
        using var metrics = new MetricsTests.EngineMeasurements(server.Services.GetRequiredService<IMeterFactory>());
        var id = NewCustomerId("throttled");
        var operations = KeyedServerFixture.CustomersWith(server, OperatorKey);

        using var tills = KeyedServerFixture.CustomersWith(server, LimitedKey).StreamTouchpoints();
        for (var i = 1; i <= 5; i++)
        {
            await tills.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, i) });
        }

        var firstAcks = new List<AckStatus>();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await tills.ResponseStream.MoveNext(CancellationToken.None));
            firstAcks.Add(tills.ResponseStream.Current.Status);
        }

        // The fourth touchpoint now waits for a token: the server says so, and has applied only three.
        await SyntheticCustomers.WaitForAsync(() => Task.FromResult(metrics.Sum("customer360.api.throttled") >= 1));
        var held = await operations.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        settings["Customer360:Auth:Keys:limited:RatePerSecond"] = "1000";
        settings.Reload();
        await tills.RequestStream.CompleteAsync();
        var lastAcks = new List<AckStatus>();
        // Only against a hang: the held touchpoints go on as soon as the change is taken.
        using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (await tills.ResponseStream.MoveNext(hang.Token))
        {
            lastAcks.Add(tills.ResponseStream.Current.Status);
        }

        var after = await operations.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        Assert.Equal([AckStatus.Accepted, AckStatus.Accepted, AckStatus.Accepted], firstAcks);
        Assert.Equal((3L, "6.00"), (held.Version, held.Aggregates.NetSpend.Amount));
        Assert.Equal([AckStatus.Accepted, AckStatus.Accepted], lastAcks);
        Assert.Equal((5L, "15.00"), (after.Version, after.Aggregates.NetSpend.Amount));
        Assert.Equal(StatusCode.OK, tills.GetStatus().StatusCode);
    }

    [Fact]
    public async Task AnUnparsableStreamMessageTakesATokenOfItsKeysRate()
    {
        // A till that sends bytes protobuf cannot parse as fast as it can is held to its key's
        // rate as one sending anything else: each such message takes a token. Four tokens: one
        // for opening the stream, three for its first three messages.
        await using var server = await StartAsync(roles: "till", burst: 4);
        using var metrics = new MetricsTests.EngineMeasurements(server.Services.GetRequiredService<IMeterFactory>());
        var id = NewCustomerId("throttled-unparsable");
        var raw = Marshallers.Create<byte[]>(b => b, b => b);
        var method = new Method<byte[], byte[]>(MethodType.DuplexStreaming, "customer360.v1.CustomerService", "StreamTouchpoints", raw, raw);
        using var till = KeyedServerFixture.Sending(server, $"Bearer {LimitedKey}").AsyncDuplexStreamingCall(method, null, default);

        await till.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 1m) }.ToByteArray());
        await till.RequestStream.WriteAsync(UnparsableMessageTests.Unparsable("not-utf8", id));
        await till.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 2m) }.ToByteArray());
        await till.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 4m) }.ToByteArray());
        var acks = new List<AckStatus>();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await till.ResponseStream.MoveNext(CancellationToken.None));
            acks.Add(TouchpointAck.Parser.ParseFrom(till.ResponseStream.Current).Status);
        }

        // The fourth message waits for a token: the burst went to the first three.
        await SyntheticCustomers.WaitForAsync(() => Task.FromResult(metrics.Sum("customer360.api.throttled") >= 1));
        var held = await KeyedServerFixture.CustomersWith(server, OperatorKey).GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        Assert.Equal([AckStatus.Accepted, AckStatus.Rejected, AckStatus.Accepted], acks);
        Assert.Equal((2L, "3.00"), (held.Version, held.Aggregates.NetSpend.Amount));
    }

    [Fact]
    public async Task AMessageThatWaitedForItsTokensIsRefusedIfItsKeyLostTheRoleMeanwhile()
    {
        // One token in ten seconds, and two at first, for opening the stream and its first
        // touchpoint: the second touchpoint waits, and the key loses the till role (its limit
        // unchanged, so kept) while it does.
        await using var server = await StartAsync(roles: "till", burst: 2, rate: "0.1");
        var settings = (IConfigurationRoot)server.Services.GetRequiredService<IConfiguration>();
        using var metrics = new MetricsTests.EngineMeasurements(server.Services.GetRequiredService<IMeterFactory>());
        var id = NewCustomerId("role-lost");
        using var tills = KeyedServerFixture.CustomersWith(server, LimitedKey).StreamTouchpoints();
        await tills.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 1m) });
        Assert.True(await tills.ResponseStream.MoveNext(CancellationToken.None));
        await tills.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 2m) });
        await SyntheticCustomers.WaitForAsync(() => Task.FromResult(metrics.Sum("customer360.api.throttled") >= 1));

        settings["Customer360:Auth:Keys:limited:Roles"] = "agent";
        settings.Reload();
        using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ended = await Assert.ThrowsAsync<RpcException>(() => tills.ResponseStream.MoveNext(hang.Token));
        var view = await KeyedServerFixture.CustomersWith(server, OperatorKey).GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        Assert.Equal(StatusCode.PermissionDenied, ended.StatusCode);
        Assert.Equal((1L, "1.00"), (view.Version, view.Aggregates.NetSpend.Amount));
    }

    [Fact]
    public async Task AnImportWithALimitedKeyRunsAtTheKeysRateInsteadOfStopping()
    {
        // Five a second, one at a time: the import's parallel upserts are refused at first, and it
        // sends each again after the wait the server asks for.
        await using var server = await StartAsync(roles: "agent", burst: 1, rate: "5");
        var ids = Enumerable.Range(1, 4).Select(_ => NewCustomerId("limited-import")).ToArray();
        var file = Path.Combine(Path.GetTempPath(), $"c360-limited-profiles-{Guid.NewGuid():N}.jsonl");
        try
        {
            await File.WriteAllLinesAsync(file, ids.Select(id => $$"""{ "customerId": "{{id}}", "givenName": "Ada", "familyName": "Lovelace" }"""));
            using var metrics = new MetricsTests.EngineMeasurements(server.Services.GetRequiredService<IMeterFactory>());

            var (exitCode, output, error) = await CliProcess.RunAsync(
                ["import-profiles", file, "--server", server.Address.ToString(), "--api-key", LimitedKey, "--json"]);
            var views = await Task.WhenAll(ids.Select(async id =>
                await KeyedServerFixture.CustomersWith(server, OperatorKey).GetCustomerAsync(new GetCustomerRequest { CustomerId = id })));

            Assert.True(exitCode == 0, $"c360 exited with {exitCode}: {error}\n{output}");
            using var tally = System.Text.Json.JsonDocument.Parse(output);
            Assert.Equal(4, tally.RootElement.GetProperty("accepted").GetInt32());
            Assert.Equal(0, tally.RootElement.GetProperty("rejected").GetInt32());
            Assert.All(views, view => Assert.Equal("Lovelace", view.Profile.FamilyName));
            Assert.True(metrics.ByTag("customer360.api.refused", count: false).GetValueOrDefault("resource_exhausted") > 0, "the key's limit refused some upserts");
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>How the server ends a stream that sent <paramref name="touchpoint"/> as it opened.</summary>
    private static async Task<RpcException> RefusedOpeningAsync<TAck>(AsyncDuplexStreamingCall<StreamTouchpointsRequest, TAck> stream, Touchpoint touchpoint)
    {
        using (stream)
        {
            try
            {
                await stream.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = touchpoint });
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException)
            {
                // The server may have ended the call before the message went.
            }

            // Only against a hang: a stream let through would wait for a token for 1,000 s.
            using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            return await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(hang.Token));
        }
    }

    /// <summary>A server with a limited key of <paramref name="roles"/> (<paramref name="rate"/> a second, bursts of <paramref name="burst"/>) and an unlimited operator key.</summary>
    private static Task<TestServer> StartAsync(string roles, int burst, string rate = "0.001") => TestServer.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Customer360:Auth:Keys:limited:Sha256"] = ApiKeys.DigestOf(LimitedKey),
        ["Customer360:Auth:Keys:limited:Roles"] = roles,
        ["Customer360:Auth:Keys:limited:RatePerSecond"] = rate,
        ["Customer360:Auth:Keys:limited:Burst"] = burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Customer360:Auth:Keys:operations:Sha256"] = ApiKeys.DigestOf(OperatorKey),
        ["Customer360:Auth:Keys:operations:Roles"] = "operator",
    });
}

/// <summary>The rate-limit settings: checked before use, and a key's limit kept across a change that leaves it as it was.</summary>
public sealed class RateLimitSettingsTests
{
    private static readonly string Digest = ApiKeys.DigestOf("some key");

    [Theory]
    [InlineData("0", null, "Customer360:Auth:Keys:k:RatePerSecond must be between 0.001 and 1,000,000 (leave it unset for no limit), got 0")]
    [InlineData("-5", null, "Customer360:Auth:Keys:k:RatePerSecond must be between 0.001 and 1,000,000 (leave it unset for no limit), got -5")]
    [InlineData("40000000000", null, "Customer360:Auth:Keys:k:RatePerSecond must be between 0.001 and 1,000,000 (leave it unset for no limit), got 40000000000")]
    [InlineData("NaN", null, "Customer360:Auth:Keys:k:RatePerSecond must be between 0.001 and 1,000,000 (leave it unset for no limit), got NaN")]
    [InlineData(null, "10", "Customer360:Auth:Keys:k:Burst needs Customer360:Auth:Keys:k:RatePerSecond")]
    [InlineData("10", "0", "Customer360:Auth:Keys:k:Burst must be at least 1 (a millisecond's worth of the rate, and 1 or more), got 0")]
    [InlineData("1000000", "10", "Customer360:Auth:Keys:k:Burst must be at least 1000 (a millisecond's worth of the rate, and 1 or more), got 10")]
    public void ABadLimitIsNamed(string? rate, string? burst, string problem)
    {
        var options = new AuthOptions
        {
            Keys =
            {
                ["k"] = new ApiKeyOptions
                {
                    Sha256 = Digest,
                    Roles = "till",
                    RatePerSecond = rate is null ? null : double.Parse(rate, System.Globalization.CultureInfo.InvariantCulture),
                    Burst = burst is null ? null : int.Parse(burst, System.Globalization.CultureInfo.InvariantCulture),
                },
            },
        };

        Assert.Equal(problem, ApiKeys.Validate(options, "127.0.0.1"));
    }

    [Theory]
    [InlineData(0.001, 1)]
    [InlineData(2, 2)]
    [InlineData(20, 20)]
    [InlineData(25, 25)]
    [InlineData(30, 30)]
    [InlineData(70, 70)]
    [InlineData(1234.5, 1235)]
    [InlineData(1000, 10)]
    [InlineData(1_000_000, 1_000_000)]
    [InlineData(1_000_000, 1_000)]
    public void TheBucketRefillsAtExactlyTheKeysRateNeverMoreAStepThanItHolds(double rate, int burst)
    {
        using var limit = new KeyRateLimit(rate, burst);

        // Exact but for the period's 100 ns resolution: within a hundred-thousandth.
        Assert.InRange(limit.StepTokens / limit.Step.TotalSeconds / rate, 0.99999, 1.00001);
        Assert.InRange(limit.StepTokens, 1, burst);
        Assert.InRange(limit.Step, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1_000));
    }

    [Fact]
    public void AKeepsItsLimitAcrossAChangeThatLeavesItAndGetsANewOneWhenItChanges()
    {
        static AuthOptions Settings(string roles, double rate) => new()
        {
            Keys = { ["k"] = new ApiKeyOptions { Sha256 = Digest, Roles = roles, RatePerSecond = rate } },
        };
        var settings = new FollowedSettings(Settings("till", 50));
        using var keys = new ApiKeys(settings, "127.0.0.1", NullLogger<ApiKeys>.Instance);
        var first = keys.Find("some key")!.Limit;

        settings.Change(Settings("till,agent", 50));
        var afterRoles = keys.Find("some key")!.Limit;
        settings.Change(Settings("till,agent", 80));
        var afterRate = keys.Find("some key")!.Limit;

        Assert.Equal((50d, 50), (first!.RatePerSecond, first.Burst));
        Assert.Same(first, afterRoles);
        Assert.NotSame(first, afterRate);
        Assert.Equal((80d, 80), (afterRate!.RatePerSecond, afterRate.Burst));
    }
}

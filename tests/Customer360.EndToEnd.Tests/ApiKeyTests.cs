using Customer360.Api.V1;
using Customer360.Server.Hosting;
using Customer360.Server.Security;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>A real server configured with one API key of each role.</summary>
public sealed class KeyedServerFixture : IAsyncLifetime
{
    public const string TillKey = "till-key-8b1d2c";
    public const string AgentKey = "agent-key-5f0a91";
    public const string OperatorKey = "operator-key-c37e44";

    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await TestServer.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Customer360:Auth:Keys:store_tills:Sha256"] = ApiKeys.DigestOf(TillKey),
        ["Customer360:Auth:Keys:store_tills:Roles"] = "till",
        ["Customer360:Auth:Keys:call_centre:Sha256"] = ApiKeys.DigestOf(AgentKey).ToUpperInvariant(),
        ["Customer360:Auth:Keys:call_centre:Roles"] = "agent",
        ["Customer360:Auth:Keys:operations:Sha256"] = ApiKeys.DigestOf(OperatorKey),
        ["Customer360:Auth:Keys:operations:Roles"] = " Operator ",
    });

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A client that sends <paramref name="authorization"/> as its authorization header, or none.</summary>
    public CallInvoker As(string? authorization) => Sending(Server, authorization);

    /// <summary>Calls on <paramref name="server"/>'s channel that send <paramref name="authorization"/> as their authorization header, or none.</summary>
    public static CallInvoker Sending(TestServer server, string? authorization) => Sending(server.Channel, authorization);

    /// <summary>Calls on <paramref name="channel"/> that send <paramref name="authorization"/> as their authorization header, or none.</summary>
    public static CallInvoker Sending(ChannelBase channel, string? authorization) =>
        authorization is null
            ? channel.CreateCallInvoker()
            : channel.Intercept(headers =>
            {
                headers.Add(ApiKeyInterceptor.Header, authorization);
                return headers;
            });

    public CustomerService.CustomerServiceClient Customers(string? key) => new(As(key is null ? null : $"Bearer {key}"));

    /// <summary>A customer client on <paramref name="server"/> that sends <paramref name="key"/> with every call.</summary>
    public static CustomerService.CustomerServiceClient CustomersWith(TestServer server, string key) => new(Sending(server, $"Bearer {key}"));
}

/// <summary>
/// API keys over a real Kestrel server and GrpcChannel: a call without a known key is
/// UNAUTHENTICATED, one whose key lacks the role is PERMISSION_DENIED, and neither applies
/// anything; each role calls what it may; health checks stay open.
/// </summary>
public sealed class ApiKeyTests(KeyedServerFixture fixture) : IClassFixture<KeyedServerFixture>
{
    [Theory]
    [InlineData(null, "an API key is required; send 'authorization: Bearer <key>'")]
    [InlineData("Bearer not-a-configured-key", "unknown API key")]
    [InlineData("Basic dXNlcjpwYXNz", "expected 'Bearer <key>'")]
    [InlineData("Bearer ", "expected 'Bearer <key>'")]
    public async Task ACallWithoutAKnownKeyIsUnauthenticatedAndAppliesNothing(string? authorization, string reason)
    {
        var id = NewCustomerId("auth");
        var customers = new CustomerService.CustomerServiceClient(fixture.As(authorization));

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await customers.RecordTouchpointAsync(Record(Purchase(id, 10m))));

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal($"authorization: {reason}", refused.Status.Detail);
        var lookup = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Customers(KeyedServerFixture.OperatorKey).GetCustomerAsync(new GetCustomerRequest { CustomerId = id }));
        Assert.Equal(StatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task EachRoleCallsWhatItMayAndIsRefusedTheRestNamingTheKey()
    {
        var id = NewCustomerId("auth");
        var till = fixture.Customers(KeyedServerFixture.TillKey);
        var agent = fixture.Customers(KeyedServerFixture.AgentKey);

        var ack = await till.RecordTouchpointAsync(Record(Purchase(id, 10m)));
        var view = await agent.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        var renamed = await agent.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = id, GivenName = "Ada" });
        var tillReads = await Assert.ThrowsAsync<RpcException>(async () => await till.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }));
        var agentRecords = await Assert.ThrowsAsync<RpcException>(async () => await agent.RecordTouchpointAsync(Record(Purchase(id, 99m))));
        var agentFits = await Assert.ThrowsAsync<RpcException>(async () =>
            await new ValueModelService.ValueModelServiceClient(fixture.As($"Bearer {KeyedServerFixture.AgentKey}")).FitValueModelAsync(new FitValueModelRequest()));

        Assert.Equal(AckStatus.Accepted, ack.Status);
        Assert.Equal(1, view.Version);
        Assert.Equal(2, renamed.Version);
        Assert.Equal(StatusCode.PermissionDenied, tillReads.StatusCode);
        Assert.Equal(
            "the API key 'store_tills' (till) may not call customer360.v1.CustomerService/GetCustomer; it takes agent or operator",
            tillReads.Status.Detail);
        Assert.Equal(StatusCode.PermissionDenied, agentRecords.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, agentFits.StatusCode);
        Assert.Contains("customer360.v1.ValueModelService/FitValueModel; it takes operator", agentFits.Status.Detail, StringComparison.Ordinal);

        // The refused purchase was not applied; the operator reads everything.
        var after = await fixture.Customers(KeyedServerFixture.OperatorKey).GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal((2L, "10.00"), (after.Version, after.Aggregates.NetSpend.Amount));
    }

    [Fact]
    public async Task RefusalsAreCountedByCode()
    {
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Customer360:Auth:Keys:tills:Sha256"] = ApiKeys.DigestOf(KeyedServerFixture.TillKey),
            ["Customer360:Auth:Keys:tills:Roles"] = "till",
        });
        using var metrics = new MetricsTests.EngineMeasurements(server.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var lookUp = new GetCustomerRequest { CustomerId = NewCustomerId("refused") };

        await Assert.ThrowsAsync<RpcException>(async () => await server.Customers.GetCustomerAsync(lookUp));
        await Assert.ThrowsAsync<RpcException>(async () => await KeyedServerFixture.CustomersWith(server, "wrong").GetCustomerAsync(lookUp));
        await Assert.ThrowsAsync<RpcException>(async () => await KeyedServerFixture.CustomersWith(server, KeyedServerFixture.TillKey).GetCustomerAsync(lookUp));
        await KeyedServerFixture.CustomersWith(server, KeyedServerFixture.TillKey).RecordTouchpointAsync(Record(Purchase(lookUp.CustomerId, 3m)));

        Assert.Equal(
            new Dictionary<string, long> { ["unauthenticated"] = 2, ["permission_denied"] = 1 },
            metrics.ByTag("customer360.api.refused", count: false));
    }

    [Fact]
    public async Task AStreamOpenedWithTheWrongRoleIsRefusedBeforeItTakesATouchpoint()
    {
        var id = NewCustomerId("auth");
        using var stream = fixture.Customers(KeyedServerFixture.AgentKey).StreamTouchpoints();
        try
        {
            await stream.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 10m) });
            await stream.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server may have ended the call before the write; the status below says why.
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        var lookup = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Customers(KeyedServerFixture.OperatorKey).GetCustomerAsync(new GetCustomerRequest { CustomerId = id }));
        Assert.Equal(StatusCode.NotFound, lookup.StatusCode);

        // The tills' key streams.
        using var tills = fixture.Customers(KeyedServerFixture.TillKey).StreamTouchpoints();
        await tills.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 10m) });
        await tills.RequestStream.CompleteAsync();
        Assert.True(await tills.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(AckStatus.Accepted, tills.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task AKeyIsReplacedWithoutARestartAndAChangeTheCheckRefusesLeavesTheKeysInUse()
    {
        const string OldKey = "rotated-out-4e1f";
        const string NewKey = "rotated-in-77b0";
        var (server, settings) = await StartWithOneKeyAsync("operations", OldKey);
        await using var stopping = server;
        async Task<StatusCode> LookUpWith(string key)
        {
            var answer = await Assert.ThrowsAsync<RpcException>(async () =>
                await KeyedServerFixture.CustomersWith(server, key).GetCustomerAsync(new GetCustomerRequest { CustomerId = NewCustomerId("rotation") }));
            return answer.StatusCode;
        }

        var before = (await LookUpWith(OldKey), await LookUpWith(NewKey));
        settings["Customer360:Auth:Keys:operations:Sha256"] = ApiKeys.DigestOf(NewKey);
        settings.Reload();
        var after = (await LookUpWith(OldKey), await LookUpWith(NewKey));
        settings["Customer360:Auth:Keys:operations:Roles"] = "cashier";
        settings.Reload();
        var afterRefusedChange = (await LookUpWith(OldKey), await LookUpWith(NewKey));

        // NOT_FOUND: let through to an unknown customer.
        Assert.Equal((StatusCode.NotFound, StatusCode.Unauthenticated), before);
        Assert.Equal((StatusCode.Unauthenticated, StatusCode.NotFound), after);
        Assert.Equal((StatusCode.Unauthenticated, StatusCode.NotFound), afterRefusedChange);
    }

    [Fact]
    public async Task RemovingAKeyEndsTheStreamsOpenedWithItAndAppliesNothingSentAfter()
    {
        const string OldKey = "streams-old-0c2d";
        const string NewKey = "streams-new-91aa";
        var (server, settings) = await StartWithOneKeyAsync("gateway", OldKey);
        await using var stopping = server;
        CustomerService.CustomerServiceClient With(string key) => KeyedServerFixture.CustomersWith(server, key);
        var id = NewCustomerId("revoked");
        using var tills = With(OldKey).StreamTouchpoints();
        await tills.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 10m) });
        Assert.True(await tills.ResponseStream.MoveNext(CancellationToken.None));
        using var watch = With(OldKey).WatchCustomer(new WatchCustomerRequest { CustomerId = id });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));

        settings["Customer360:Auth:Keys:gateway:Sha256"] = ApiKeys.DigestOf(NewKey);
        settings.Reload();
        try
        {
            await tills.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 99m) });
        }
        catch (RpcException)
        {
            // The server may have ended the call already; the status below says why.
        }

        var streamEnded = await Assert.ThrowsAsync<RpcException>(() => tills.ResponseStream.MoveNext(CancellationToken.None));
        await With(NewKey).RecordTouchpointAsync(Record(Purchase(id, 5m)));
        var watchEnded = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(CancellationToken.None));
        var view = await With(NewKey).GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        Assert.Equal(StatusCode.Unauthenticated, streamEnded.StatusCode);
        Assert.Equal("authorization: the API key this stream was opened with has been removed", streamEnded.Status.Detail);
        Assert.Equal(StatusCode.Unauthenticated, watchEnded.StatusCode);
        Assert.Equal((2L, "15.00"), (view.Version, view.Aggregates.NetSpend.Amount));
    }

    [Theory]
    [InlineData("removed", StatusCode.Unauthenticated, "authorization: the API key this stream was opened with has been removed")]
    [InlineData("role taken away", StatusCode.PermissionDenied, "the API key 'gateway' (agent) may not call customer360.v1.CustomerService/StreamTouchpointBatches; it takes till or operator")]
    public async Task AKeyChangeEndsItsQuietTouchpointStreamsAtOnce(string change, StatusCode code, string detail)
    {
        const string OldKey = "quiet-till-old-7e21";
        var (server, settings) = await StartWithOneKeyAsync("gateway", OldKey);
        await using var stopping = server;
        var id = NewCustomerId("quiet-till");
        using var tills = KeyedServerFixture.CustomersWith(server, OldKey).StreamTouchpointBatches();
        await tills.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 10m) });
        Assert.True(await tills.ResponseStream.MoveNext(CancellationToken.None));

        // The till sends nothing more, and the stream ends all the same.
        if (change == "removed")
        {
            settings["Customer360:Auth:Keys:gateway:Sha256"] = ApiKeys.DigestOf("quiet-till-new-44b0");
        }
        else
        {
            settings["Customer360:Auth:Keys:gateway:Roles"] = "agent";
        }

        settings.Reload();
        using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ended = await Assert.ThrowsAsync<RpcException>(() => tills.ResponseStream.MoveNext(hang.Token));
        settings["Customer360:Auth:Keys:gateway:Sha256"] = ApiKeys.DigestOf(OldKey);
        settings["Customer360:Auth:Keys:gateway:Roles"] = "operator";
        settings.Reload();
        var view = await KeyedServerFixture.CustomersWith(server, OldKey).GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        Assert.Equal(code, ended.StatusCode);
        Assert.Equal(detail, ended.Status.Detail);
        Assert.Equal("10.00", view.Aggregates.NetSpend.Amount);
    }

    [Fact]
    public async Task RemovingAKeyEndsAStreamWhoseTillStoppedReadingItsAcks()
    {
        const string OldKey = "stalled-till-old-1f5a";
        var (server, settings) = await StartWithOneKeyAsync("gateway", OldKey);
        await using var stopping = server;
        using var measurements = new MetricsTests.EngineMeasurements(server.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        using var tills = KeyedServerFixture.CustomersWith(server, OldKey).StreamTouchpoints();
        using var stop = new CancellationTokenSource();

        // Touchpoints without an event time, each answered at once with a long REJECTED ack that
        // the till never reads: the acks fill HTTP/2's window, and the server's writer waits.
        var sending = Task.Run(async () =>
        {
            var bad = Purchase(NewCustomerId("stalled"), 1m);
            bad.OccurredAt = null;
            while (!stop.IsCancellationRequested)
            {
                await tills.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = bad }, stop.Token);
            }
        });

        // The till sends as fast as it can: once no more touchpoints are answered, the server's
        // writer is waiting for the till to read.
        long answered = -1;
        await SyntheticCustomers.WaitForAsync(async () =>
        {
            var now = measurements.ByTag("customer360.touchpoints", count: true).GetValueOrDefault("rejected");
            var stalled = now >= 200 && now == answered;
            answered = now;
            await Task.Delay(400);
            return stalled;
        });

        settings["Customer360:Auth:Keys:gateway:Sha256"] = ApiKeys.DigestOf("stalled-till-new-8c3d");
        settings.Reload();
        using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (measurements.Sum("customer360.api.streams") > 0)
        {
            await Task.Delay(50, hang.Token);
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => sending);
        Assert.Equal(0, measurements.Sum("customer360.api.streams"));
    }

    [Fact]
    public async Task RemovingAKeyEndsItsQuietWatchesAtOnceAndFreesTheirPlaces()
    {
        const string OldKey = "watch-old-5d1e";
        const string NewKey = "watch-new-a07c";
        var (server, settings) = await StartWithOneKeyAsync("screens", OldKey, maxWatches: 1);
        await using var stopping = server;
        var id = NewCustomerId("quiet-watch");
        await KeyedServerFixture.CustomersWith(server, OldKey).RecordTouchpointAsync(Record(Purchase(id, 10m)));
        using var watch = KeyedServerFixture.CustomersWith(server, OldKey).WatchCustomer(new WatchCustomerRequest { CustomerId = id });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        var whileHeld = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var another = KeyedServerFixture.CustomersWith(server, OldKey).WatchCustomer(new WatchCustomerRequest { CustomerId = id });
            await another.ResponseStream.MoveNext(CancellationToken.None);
        });

        // The customer does not change: the watch has nothing to send, and ends all the same.
        settings["Customer360:Auth:Keys:screens:Sha256"] = ApiKeys.DigestOf(NewKey);
        settings.Reload();
        using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ended = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(hang.Token));
        using var replacement = KeyedServerFixture.CustomersWith(server, NewKey).WatchCustomer(new WatchCustomerRequest { CustomerId = id });
        var replaced = await replacement.ResponseStream.MoveNext(CancellationToken.None);

        Assert.Equal(StatusCode.ResourceExhausted, whileHeld.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
        Assert.Equal("authorization: the API key this stream was opened with has been removed", ended.Status.Detail);
        Assert.True(replaced);
    }

    [Fact]
    public async Task KeysConfiguredOnAServerThatRanWithoutThemEndItsStreamsAndWatchesOpenedWithoutAKey()
    {
        const string Key = "first-key-6a2e";
        var server = await TestServer.StartAsync();
        await using var stopping = server;
        var settings = (IConfigurationRoot)server.Services.GetRequiredService<IConfiguration>();
        var id = NewCustomerId("keys-arrive");
        using var tills = server.Customers.StreamTouchpoints();
        await tills.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 10m) });
        Assert.True(await tills.ResponseStream.MoveNext(CancellationToken.None));
        using var watch = server.Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = id });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));

        // The operator turns keys on: from now on every call needs one, the open ones included.
        settings["Customer360:Auth:Keys:operations:Sha256"] = ApiKeys.DigestOf(Key);
        settings["Customer360:Auth:Keys:operations:Roles"] = "operator";
        settings.Reload();
        using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var streamEnded = await Assert.ThrowsAsync<RpcException>(() => tills.ResponseStream.MoveNext(hang.Token));
        var watchEnded = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(hang.Token));
        try
        {
            await tills.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 99m) });
        }
        catch (RpcException)
        {
            // The call has ended; the view below shows nothing of this touchpoint.
        }

        var unkeyed = await Assert.ThrowsAsync<RpcException>(async () => await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }));
        var view = await KeyedServerFixture.CustomersWith(server, Key).GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        Assert.Equal(StatusCode.Unauthenticated, streamEnded.StatusCode);
        Assert.Equal("authorization: API keys are now required, and this call was opened without one", streamEnded.Status.Detail);
        Assert.Equal(StatusCode.Unauthenticated, watchEnded.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, unkeyed.StatusCode);
        Assert.Equal((1L, "10.00"), (view.Version, view.Aggregates.NetSpend.Amount));
    }

    [Fact]
    public async Task AStreamWhoseAckCannotBeSentAfterItsKeyWasRemovedEndsAndDoesNotHang()
    {
        const string OldKey = "acks-old-3b9f";
        var held = new HeldTouchpoints();
        var server = await TestServer.StartAsync(
            settings: new Dictionary<string, string?>
            {
                ["Customer360:Auth:Keys:gateway:Sha256"] = ApiKeys.DigestOf(OldKey),
                ["Customer360:Auth:Keys:gateway:Roles"] = "operator",
            },
            services: services => services.AddSingleton<Orleans.IIncomingGrainCallFilter>(held));
        await using var stopping = server;
        var settings = (IConfigurationRoot)server.Services.GetRequiredService<IConfiguration>();
        using var tills = KeyedServerFixture.CustomersWith(server, OldKey).StreamTouchpoints();

        // The touchpoint is taken while the key is good; its ack is due after the key is gone,
        // and the client sends nothing more: it waits for that ack.
        await tills.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(NewCustomerId("held-ack"), 10m) });
        await held.Entered;
        settings["Customer360:Auth:Keys:gateway:Sha256"] = ApiKeys.DigestOf("acks-new-c04e");
        settings.Reload();
        held.Release();
        using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ended = await Assert.ThrowsAsync<RpcException>(() => tills.ResponseStream.MoveNext(hang.Token));

        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
        Assert.Equal("authorization: the API key this stream was opened with has been removed", ended.Status.Detail);
    }

    /// <summary>Holds the first touchpoint a customer grain is given until released.</summary>
    private sealed class HeldTouchpoints : Orleans.IIncomingGrainCallFilter
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        public async Task Invoke(Orleans.IIncomingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(Customer360.Contracts.Customers.ICustomerGrain.RecordTouchpointAsync) && _entered.TrySetResult())
            {
                await _released.Task;
            }

            await context.Invoke();
        }
    }

    /// <summary>A server of the test's own with one operator key, and its settings, which the test changes.</summary>
    private static async Task<(TestServer Server, IConfigurationRoot Settings)> StartWithOneKeyAsync(string name, string key, int maxWatches = 10_000)
    {
        var server = await TestServer.StartAsync(settings: new Dictionary<string, string?>
        {
            [$"Customer360:Auth:Keys:{name}:Sha256"] = ApiKeys.DigestOf(key),
            [$"Customer360:Auth:Keys:{name}:Roles"] = "operator",
            ["Customer360:Grpc:MaxWatches"] = maxWatches.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        return (server, (IConfigurationRoot)server.Services.GetRequiredService<IConfiguration>());
    }

    [Theory]
    [InlineData("Customer360.v1.CustomerService", "GetCustomer")]
    [InlineData("CUSTOMER360.V1.CUSTOMERSERVICE", "GETCUSTOMER")]
    [InlineData("customer360.v1.customerservice", "getcustomer")]
    public async Task AMethodPathInAnotherCaseIsGuardedAsTheMethodItReaches(string service, string method)
    {
        // The server's routing ignores the path's case, so each of these reaches GetCustomer.
        var getCustomer = new Method<GetCustomerRequest, CustomerView>(
            MethodType.Unary, service, method, Marshal(GetCustomerRequest.Parser), Marshal(CustomerView.Parser));
        var request = new GetCustomerRequest { CustomerId = NewCustomerId("path-case") };
        async Task<StatusCode> CallWith(string? key)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () =>
                await fixture.As(key is null ? null : $"Bearer {key}").AsyncUnaryCall(getCustomer, null, new CallOptions(), request));
            return refused.StatusCode;
        }

        var answers = (await CallWith(null), await CallWith(KeyedServerFixture.TillKey), await CallWith(KeyedServerFixture.AgentKey));

        // NOT_FOUND: the agent's key is let through, to a customer that does not exist.
        Assert.Equal((StatusCode.Unauthenticated, StatusCode.PermissionDenied, StatusCode.NotFound), answers);
    }

    [Fact]
    public async Task AWriteOrAnOperatorsMethodInAnotherCaseIsRefusedAndAppliesNothing()
    {
        var id = NewCustomerId("path-case-write");
        var record = new Method<RecordTouchpointRequest, TouchpointAck>(
            MethodType.Unary, "customer360.V1.CustomerService", "RecordTouchpoint", Marshal(RecordTouchpointRequest.Parser), Marshal(TouchpointAck.Parser));
        var fit = new Method<FitValueModelRequest, ValueModel>(
            MethodType.Unary, "customer360.v1.VALUEMODELSERVICE", "FitValueModel", Marshal(FitValueModelRequest.Parser), Marshal(ValueModel.Parser));

        var unkeyedWrite = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.As(null).AsyncUnaryCall(record, null, new CallOptions(), Record(Purchase(id, 10m))));
        var tillFit = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.As($"Bearer {KeyedServerFixture.TillKey}").AsyncUnaryCall(fit, null, new CallOptions(), new FitValueModelRequest()));
        var lookup = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Customers(KeyedServerFixture.OperatorKey).GetCustomerAsync(new GetCustomerRequest { CustomerId = id }));

        Assert.Equal(StatusCode.Unauthenticated, unkeyedWrite.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, tillFit.StatusCode);
        Assert.Equal(
            "the API key 'store_tills' (till) may not call customer360.v1.ValueModelService/FitValueModel; it takes operator",
            tillFit.Status.Detail);
        Assert.Equal(StatusCode.NotFound, lookup.StatusCode);
    }

    [Fact]
    public async Task AnUnparsableRequestIsRefusedForItsKeyBeforeItsContent()
    {
        var raw = Marshallers.Create<byte[]>(b => b, b => b);
        var record = new Method<byte[], byte[]>(MethodType.Unary, "customer360.v1.CustomerService", "RecordTouchpoint", raw, raw);
        var watch = new Method<byte[], byte[]>(MethodType.ServerStreaming, "customer360.v1.CustomerService", "WatchCustomer", raw, raw);
        var unparsable = UnparsableMessageTests.Unparsable("invalid-wire-type", NewCustomerId("unparsable-keyed"));
        async Task<StatusCode> RecordWith(string? key) => (await Assert.ThrowsAsync<RpcException>(() =>
            fixture.As(key is null ? null : $"Bearer {key}").AsyncUnaryCall(record, null, default, unparsable).ResponseAsync)).StatusCode;
        async Task<StatusCode> WatchWith(string? key) => (await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = fixture.As(key is null ? null : $"Bearer {key}").AsyncServerStreamingCall(watch, null, default, unparsable);
            await call.ResponseStream.MoveNext(CancellationToken.None);
        })).StatusCode;

        var records = (await RecordWith(null), await RecordWith("not-a-configured-key"), await RecordWith(KeyedServerFixture.AgentKey), await RecordWith(KeyedServerFixture.TillKey));
        var watches = (await WatchWith(null), await WatchWith(KeyedServerFixture.TillKey), await WatchWith(KeyedServerFixture.AgentKey));

        // A caller without a key learns nothing of how its message was read; one whose key may
        // call the method is told what is wrong with it.
        Assert.Equal((StatusCode.Unauthenticated, StatusCode.Unauthenticated, StatusCode.PermissionDenied, StatusCode.InvalidArgument), records);
        Assert.Equal((StatusCode.Unauthenticated, StatusCode.PermissionDenied, StatusCode.InvalidArgument), watches);
    }

    private static Marshaller<T> Marshal<T>(Google.Protobuf.MessageParser<T> parser)
        where T : Google.Protobuf.IMessage<T> =>
        Marshallers.Create(message => Google.Protobuf.MessageExtensions.ToByteArray(message), parser.ParseFrom);

    [Fact]
    public async Task HealthChecksNeedNoKey()
    {
        var response = await new Health.HealthClient(fixture.As(null)).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }
}

/// <summary>The key settings, checked before the server starts; and which roles each method takes.</summary>
public sealed class ApiKeySettingsTests
{
    private static readonly string Digest = ApiKeys.DigestOf("some key");

    [Fact]
    public void AnEndpointBeyondLoopbackWithoutKeysDoesNotStartUnlessAnonymousCallsAreAllowed()
    {
        var open = Assert.Throws<InvalidOperationException>(() => Build(new() { ["Customer360:Grpc:Address"] = "0.0.0.0" }));

        Assert.Contains("listens on 0.0.0.0, beyond loopback, with no API keys", open.Message, StringComparison.Ordinal);
        Build(new() { ["Customer360:Grpc:Address"] = "0.0.0.0", ["Customer360:Auth:AllowAnonymous"] = "true" });
        Build(new() { ["Customer360:Grpc:Address"] = "0.0.0.0", ["Customer360:Auth:Keys:ops:Sha256"] = Digest, ["Customer360:Auth:Keys:ops:Roles"] = "operator" });
        Build(new() { ["Customer360:Grpc:Address"] = "::1" });
    }

    [Theory]
    [InlineData("abc", "operator", "Customer360:Auth:Keys:k:Sha256 must be the key's SHA-256 as 64 hexadecimal digits")]
    [InlineData(null, "", "Customer360:Auth:Keys:k:Roles must list one or more of till, agent, operator, got ''")]
    [InlineData(null, "till,cashier", "Customer360:Auth:Keys:k:Roles must list one or more of till, agent, operator, got 'till,cashier'")]
    public void ABadKeySettingIsNamed(string? sha256, string roles, string problem)
    {
        var options = new AuthOptions { Keys = { ["k"] = new ApiKeyOptions { Sha256 = sha256 ?? Digest, Roles = roles } } };

        Assert.StartsWith(problem, ApiKeys.Validate(options, "127.0.0.1"), StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new ApiKeys(options));
    }

    [Fact]
    public void AKeyNameLongerThanARecordedNameMayBeIsRefused()
    {
        var name = new string('k', ApiKeys.MaxNameLength + 1);
        var options = new AuthOptions { Keys = { [name] = new ApiKeyOptions { Sha256 = Digest, Roles = "till" } } };
        var longest = new AuthOptions { Keys = { [name[1..]] = new ApiKeyOptions { Sha256 = Digest, Roles = "till" } } };

        Assert.Equal(
            $"Customer360:Auth:Keys:{name}: a key's name is recorded with every touchpoint it sends, and may have at most 64 characters, got 65",
            ApiKeys.Validate(options, null));
        Assert.Null(ApiKeys.Validate(longest, null));
    }

    [Fact]
    public void TheSameKeyTwiceIsRefused()
    {
        var options = new AuthOptions
        {
            Keys =
            {
                ["a"] = new ApiKeyOptions { Sha256 = Digest, Roles = "till" },
                ["b"] = new ApiKeyOptions { Sha256 = Digest.ToUpperInvariant(), Roles = "agent" },
            },
        };

        Assert.Equal("Customer360:Auth:Keys:b:Sha256 is the same key as another one's", ApiKeys.Validate(options, null));
    }

    [Fact]
    public void AChangeThatRemovesEveryKeyIsRefused()
    {
        var settings = new FollowedSettings(new AuthOptions { Keys = { ["ops"] = new ApiKeyOptions { Sha256 = Digest, Roles = "operator" } } });
        using var keys = new ApiKeys(settings, "127.0.0.1", Microsoft.Extensions.Logging.Abstractions.NullLogger<ApiKeys>.Instance);

        settings.Change(new AuthOptions());

        Assert.True(keys.Required);
        Assert.Equal("ops", keys.Find("some key")?.Name);
    }

    [Fact]
    public void EveryMethodIsTheOperatorsTillsOnlyWriteTouchpointsAndOnlyOperatorsErase()
    {
        var methods = ApiRoles.Services.SelectMany(s => s.Methods.Select(m => ApiRoles.PathOf(s, m.Name))).ToList();

        Assert.All(methods, m => Assert.Contains(ApiRoles.Operator, ApiRoles.AllowedFor(m)));
        Assert.Equal(
            ["/customer360.v1.CustomerService/RecordTouchpoint", "/customer360.v1.CustomerService/StreamTouchpointBatches", "/customer360.v1.CustomerService/StreamTouchpoints"],
            methods.Where(m => ApiRoles.AllowedFor(m).Contains(ApiRoles.Till)).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["/customer360.v1.CustomerService/EraseCustomer", "/customer360.v1.ValueModelService/Backtest", "/customer360.v1.ValueModelService/FitValueModel"],
            methods.Where(m => ApiRoles.AllowedFor(m).Count == 1).Order(StringComparer.Ordinal));
        Assert.False(ApiRoles.Guards("/grpc.health.v1.Health/Check"));
        Assert.True(ApiRoles.Guards("/customer360.v1.SegmentService/GetSegment"));
    }

    private static void Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings.Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value)));
        builder.AddCustomer360Server();
    }
}

/// <summary>Settings that change when the test says so, as a reloaded settings file's do.</summary>
internal sealed class FollowedSettings(AuthOptions initial) : Microsoft.Extensions.Options.IOptionsMonitor<AuthOptions>
{
    private readonly List<Action<AuthOptions, string?>> _listeners = [];

    public AuthOptions CurrentValue { get; private set; } = initial;

    public AuthOptions Get(string? name) => CurrentValue;

    public IDisposable? OnChange(Action<AuthOptions, string?> listener)
    {
        _listeners.Add(listener);
        return null;
    }

    public void Change(AuthOptions options)
    {
        CurrentValue = options;
        foreach (var listener in _listeners)
        {
            listener(options, null);
        }
    }
}

using Customer360.Api.V1;
using Customer360.Contracts.Segments;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Erasing a customer (a right-to-be-forgotten request) over real gRPC: its reads, segments and
/// watches let go of it at once, touchpoints of its erased history are refused while a later
/// one starts a new history, only operators may ask for it, and it survives a restart. Each
/// test runs a server of its own, so that segment figures hold only its own customers.
/// </summary>
public sealed class EraseCustomerTests
{
    private static EraseCustomerRequest Erase(string customerId) => new() { CustomerId = customerId };

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task AnErasedCustomerLeavesItsSegmentsEndsItsWatchesAndIsNotFound(string store)
    {
        await using var server = await TestServer.StartAsync(settings: await TestStores.SettingsAsync(store, "erase-" + Guid.NewGuid().ToString("N")));
        var id = NewCustomerId("erase");
        var other = NewCustomerId("erase-other");
        await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 5000m)));
        await server.Customers.RecordTouchpointAsync(Record(Contact(id, TouchpointKind.Visit, Channel.Web)));
        await server.Customers.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = id, GivenName = "Ada" });
        await server.Customers.RecordTouchpointAsync(Record(Purchase(other, 20m)));
        var erased = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        var kept = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = other });
        var before = await Converged.SegmentsAsync(server, [erased, kept]);

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = server.Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = id }, cancellationToken: cancel.Token);
        Assert.True(await watch.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(3, watch.ResponseStream.Current.Version);

        var erasure = await server.Customers.EraseCustomerAsync(Erase(id));

        Assert.Equal(id, erasure.CustomerId);
        Assert.Equal(3, erasure.EntriesRemoved);
        Assert.False(erasure.AlreadyErased);
        Assert.NotNull(erasure.ErasedAt);

        // The open watch ends, saying why.
        var ended = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(StatusCode.NotFound, ended.StatusCode);
        Assert.Contains($"customer '{id}' was erased", ended.Status.Detail);

        // Reads find nothing, and say that the customer was erased, and when, so that an agent
        // can answer a customer asking after their data; a new watch is refused the same way.
        var erasedAt = $"customer_id: customer '{id}' was erased at {erasure.ErasedAt.ToDateTime():yyyy-MM-ddTHH:mm:ss.fffffffZ}";
        var read = await Assert.ThrowsAsync<RpcException>(async () => await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }));
        Assert.Equal(StatusCode.NotFound, read.StatusCode);
        Assert.Equal(erasedAt, read.Status.Detail);
        var listed = await Assert.ThrowsAsync<RpcException>(async () => await server.Customers.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = id }));
        Assert.Equal(StatusCode.NotFound, listed.StatusCode);
        Assert.Equal(erasedAt, listed.Status.Detail);
        using (var rewatch = server.Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = id }, cancellationToken: cancel.Token))
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => rewatch.ResponseStream.MoveNext(cancel.Token));
            Assert.Equal(StatusCode.NotFound, refused.StatusCode);
            Assert.Equal(erasedAt, refused.Status.Detail);
        }

        // A customer never seen is just that.
        var never = NewCustomerId("erase-never");
        var unseen = await Assert.ThrowsAsync<RpcException>(async () => await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = never }));
        Assert.Equal($"customer_id: no customer '{never}'", unseen.Status.Detail);

        // Its segments count one member fewer as soon as the erasure is answered; the others are as they were.
        var after = await server.Segments.ListSegmentsAsync(new ListSegmentsRequest());
        Assert.NotEmpty(erased.Segments);
        foreach (var segment in before.Segments)
        {
            var now = after.Segments.Single(s => s.SegmentId == segment.SegmentId);
            Assert.Equal(segment.MemberCount - (erased.Segments.Contains(segment.SegmentId) ? 1 : 0), now.MemberCount);
        }

        await Converged.SegmentsAsync(server, [kept], TimeSpan.Zero);
        Assert.Equal(kept, await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = other }));

        // An operator's retry after a lost answer: done already, at the same time.
        var again = await server.Customers.EraseCustomerAsync(Erase(id));
        Assert.True(again.AlreadyErased);
        Assert.Equal(0, again.EntriesRemoved);
        Assert.Equal(erasure.ErasedAt, again.ErasedAt);

        // A customer never seen cannot be erased; an invalid id is named.
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await server.Customers.EraseCustomerAsync(Erase(NewCustomerId("never"))));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var invalid = await Assert.ThrowsAsync<RpcException>(async () => await server.Customers.EraseCustomerAsync(Erase("")));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.StartsWith("customer_id: ", invalid.Status.Detail);
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task TouchpointsOfTheErasedHistoryAreRefusedAndALaterOneStartsANewHistory(string store)
    {
        await using var server = await TestServer.StartAsync(settings: await TestStores.SettingsAsync(store, "erase-later-" + Guid.NewGuid().ToString("N")));
        var id = NewCustomerId("erase-later");
        var old = Purchase(id, 40m, DateTimeOffset.UtcNow.AddHours(-1), eventId: "order-1");
        await server.Customers.RecordTouchpointAsync(Record(old));
        var erasure = await server.Customers.EraseCustomerAsync(Erase(id));
        var erasedAt = erasure.ErasedAt.ToDateTimeOffset();

        // A till's late retry of the erased purchase: refused, naming the erasure.
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await server.Customers.RecordTouchpointAsync(Record(old)));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.StartsWith("touchpoint.occurred_at: ", refused.Status.Detail);
        Assert.Contains($"customer '{id}' was erased", refused.Status.Detail);

        // On a stream, the same is a REJECTED ack, and the stream goes on: the next touchpoint,
        // after the erasure, is accepted and starts a new history.
        var later = Purchase(id, 7m, erasedAt.AddMilliseconds(1), eventId: "order-2");
        using (var call = server.Customers.StreamTouchpoints())
        {
            await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = old });
            await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = later });
            await call.RequestStream.CompleteAsync();
            var acks = await call.ResponseStream.ReadAllAsync().ToListAsync();

            Assert.Equal([AckStatus.Rejected, AckStatus.Accepted], acks.Select(a => a.Status));
            Assert.Equal((int)StatusCode.FailedPrecondition, acks[0].Code);
            Assert.Equal("touchpoint.occurred_at", acks[0].Field);
            Assert.Contains("was erased", acks[0].Reason);

            // The new history is numbered on above the erased one (1 entry, then the erasure).
            Assert.Equal(3, acks[1].CustomerVersion);
        }

        var view = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal(3, view.Version);
        Assert.Equal(1, view.Aggregates.TouchpointCount);
        Assert.Equal("7.00", view.Aggregates.NetSpend.Amount);
        var page = await server.Customers.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = id });
        Assert.Equal(["order-2"], page.Touchpoints.Select(t => t.EventId));

        // A retry of the new history's touchpoint is a duplicate, as ever; the old one is still refused.
        Assert.Equal(AckStatus.Duplicate, (await server.Customers.RecordTouchpointAsync(Record(later))).Status);
        var stillRefused = await Assert.ThrowsAsync<RpcException>(async () => await server.Customers.RecordTouchpointAsync(Record(old)));
        Assert.Equal(StatusCode.FailedPrecondition, stillRefused.StatusCode);
    }

    [Fact]
    public async Task AProfileUpsertAfterAnErasureStartsANewHistoryWithNothingOfTheOld()
    {
        await using var server = await TestServer.StartAsync();
        var id = NewCustomerId("erase-profile");
        await server.Customers.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = id, GivenName = "Ada", FamilyName = "Lovelace" });
        await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 12m)));
        await server.Customers.EraseCustomerAsync(Erase(id));

        var back = await server.Customers.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = id, GivenName = "Grace" });

        Assert.Equal(4, back.Version);
        Assert.Equal("Grace", back.Profile.GivenName);
        Assert.Equal("", back.Profile.FamilyName);
        Assert.Equal(0, back.Aggregates.TouchpointCount);
        Assert.Empty((await server.Customers.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = id })).Touchpoints);
    }

    [Fact]
    public async Task OnlyAnOperatorMayEraseAndARefusalErasesNothing()
    {
        var fixture = new KeyedServerFixture();
        await fixture.InitializeAsync();
        await using var stop = fixture.Server;
        var server = fixture.Server;
        var id = NewCustomerId("erase-keys");
        var till = KeyedServerFixture.CustomersWith(server, KeyedServerFixture.TillKey);
        var agent = KeyedServerFixture.CustomersWith(server, KeyedServerFixture.AgentKey);
        var operators = KeyedServerFixture.CustomersWith(server, KeyedServerFixture.OperatorKey);
        await till.RecordTouchpointAsync(Record(Purchase(id, 10m)));

        foreach (var (client, key) in new[] { (till, "store_tills"), (agent, "call_centre") })
        {
            var denied = await Assert.ThrowsAsync<RpcException>(async () => await client.EraseCustomerAsync(Erase(id)));
            Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
            Assert.Contains(key, denied.Status.Detail);
        }

        var view = await agent.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal(1, view.Aggregates.TouchpointCount);

        Assert.Equal(1, (await operators.EraseCustomerAsync(Erase(id))).EntriesRemoved);
        var gone = await Assert.ThrowsAsync<RpcException>(async () => await agent.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task AnErasureSurvivesARestartOfTheServer()
    {
        var serviceId = "erase-restart-" + Guid.NewGuid().ToString("N");
        var settings = await TestStores.SettingsAsync(TestStores.Sqlite, serviceId);
        settings["Customer360:Storage:DataPath"] = TestServer.NewDataPath();
        var id = NewCustomerId("erase-restart");
        var old = Purchase(id, 30m, DateTimeOffset.UtcNow.AddHours(-2), eventId: "order-1");
        EraseCustomerResponse erasure;
        IReadOnlyDictionary<string, string?> used;
        await using (var server = await ServerProcess.StartAsync(settings))
        {
            await server.Customers.RecordTouchpointAsync(Record(old));
            await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 5m)));
            erasure = await server.Customers.EraseCustomerAsync(Erase(id));
            Assert.Equal(2, erasure.EntriesRemoved);
            used = server.Settings;
            await server.StopAsync(TimeSpan.FromSeconds(30));
        }

        await using var restarted = await ServerProcess.StartAsync(used.ToDictionary());
        var read = await Assert.ThrowsAsync<RpcException>(async () => await restarted.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }));
        Assert.Equal(StatusCode.NotFound, read.StatusCode);
        Assert.Contains($"customer '{id}' was erased at {erasure.ErasedAt.ToDateTime():yyyy-MM-ddTHH:mm:ss}", read.Status.Detail);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await restarted.Customers.RecordTouchpointAsync(Record(old)));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        var again = await restarted.Customers.EraseCustomerAsync(Erase(id));
        Assert.True(again.AlreadyErased);
        Assert.Equal(erasure.ErasedAt, again.ErasedAt);
        var segments = await restarted.Segments.ListSegmentsAsync(new ListSegmentsRequest());
        Assert.All(segments.Segments, s => Assert.Equal(0, s.MemberCount));
    }

    [Fact]
    public async Task AnErasureWhoseSegmentsCouldNotBeToldIsFinishedByARetry()
    {
        var unreachable = new UnreachableSegments();
        await using var server = await TestServer.StartAsync(services: services => services.AddSingleton<IIncomingGrainCallFilter>(unreachable));
        var id = NewCustomerId("erase-segments");
        await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 80m)));
        var view = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        await Converged.SegmentsAsync(server, [view]);

        unreachable.Armed = true;
        var failed = await Assert.ThrowsAsync<RpcException>(async () => await server.Customers.EraseCustomerAsync(Erase(id)));
        unreachable.Armed = false;

        // Told to retry; the customer's log is gone all the same.
        Assert.Equal(StatusCode.Unavailable, failed.StatusCode);
        var read = await Assert.ThrowsAsync<RpcException>(async () => await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }));
        Assert.Equal(StatusCode.NotFound, read.StatusCode);

        var retry = await server.Customers.EraseCustomerAsync(Erase(id));

        Assert.True(retry.AlreadyErased);
        var segments = await server.Segments.ListSegmentsAsync(new ListSegmentsRequest());
        Assert.All(segments.Segments, s => Assert.Equal(0, s.MemberCount));
    }

    /// <summary>While armed, segments refuse to write their members, as a segment whose store is out of reach would.</summary>
    private sealed class UnreachableSegments : IIncomingGrainCallFilter
    {
        public volatile bool Armed;

        public Task Invoke(IIncomingGrainCallContext context) =>
            Armed && context.InterfaceMethod?.Name == nameof(ISegmentGrain.PersistAsync)
                ? throw new TimeoutException("the segment store did not answer")
                : context.Invoke();
    }
}

using Customer360.Api.V1;
using Grpc.Core;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// The customer log is the source of truth: exactly-once by event id at any distance, conflicts
/// refused, the whole history paged, and customers rebuilt from snapshot plus log. Each test
/// runs its own server on each store, with a recent-id window and snapshot interval small
/// enough that the log, not the grain's memory, has to answer.
/// </summary>
public sealed class CustomerLogTests
{
    private static async Task<Dictionary<string, string?>> SettingsAsync(string store, string name)
    {
        var settings = await TestStores.SettingsAsync(store, name + "-" + Guid.NewGuid().ToString("N"));
        settings["Customer360:IdempotencyWindow"] = "2";
        settings["Customer360:RecentWindow"] = "3";
        settings["Customer360:SnapshotEvery"] = "4";
        return settings;
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task RetriesFarBeyondTheRecentWindowAreDuplicatesBeforeAndAfterARestart(string store)
    {
        var id = NewCustomerId("retry");
        var dataPath = TestServer.NewDataPath();
        var settings = await SettingsAsync(store, "retry");
        var sent = Enumerable.Range(0, 11).Select(i => Purchase(id, 10m + i, DateTimeOffset.UtcNow.AddHours(-i))).ToList();
        CustomerView before;
        await using (var server = await TestServer.StartAsync(dataPath, settings))
        {
            foreach (var t in sent)
            {
                Assert.Equal(AckStatus.Accepted, (await server.Customers.RecordTouchpointAsync(Record(t))).Status);
            }

            await server.Customers.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = id, GivenName = "Ada" });
            Assert.Equal(AckStatus.Duplicate, (await server.Customers.RecordTouchpointAsync(Record(sent[0]))).Status);
            before = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        }

        await using var restarted = await TestServer.StartAsync(dataPath, settings);
        Assert.Equal(before, await restarted.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }));
        foreach (var t in sent)
        {
            var ack = await restarted.Customers.RecordTouchpointAsync(Record(t));
            Assert.Equal(AckStatus.Duplicate, ack.Status);
            Assert.Equal(12, ack.CustomerVersion);
        }

        var after = await restarted.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal(before.Aggregates, after.Aggregates);
        Assert.Equal(12, after.Version);
        Assert.Equal("Ada", after.Profile.GivenName);
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task SameEventIdWithOtherContentIsRefusedAsFailedPreconditionNearAndFar(string store)
    {
        var id = NewCustomerId("conflict");
        await using var server = await TestServer.StartAsync(TestServer.NewDataPath(), await SettingsAsync(store, "conflict"));
        var original = Purchase(id, 40m, eventId: "order-1");
        await server.Customers.RecordTouchpointAsync(Record(original));

        // Within the recent window, then after three more events have pushed it out.
        for (var round = 0; round < 2; round++)
        {
            var changed = original.Clone();
            changed.Amount.Amount = "41";
            var error = await Assert.ThrowsAsync<RpcException>(() => server.Customers.RecordTouchpointAsync(Record(changed)).ResponseAsync);
            Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
            Assert.StartsWith("touchpoint.event_id: ", error.Status.Detail);
            Assert.Contains("order-1", error.Status.Detail);
            for (var i = 0; i < 3; i++)
            {
                await server.Customers.RecordTouchpointAsync(Record(Contact(id, TouchpointKind.Visit, Channel.Web)));
            }
        }

        // In a stream, only the conflicting message is rejected.
        var clash = original.Clone();
        clash.Channel = Channel.Web;
        using var call = server.Customers.StreamTouchpoints();
        foreach (var t in new[] { Contact(id, TouchpointKind.Call, Channel.CallCentre), clash, original, Purchase(id, 1m) })
        {
            await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = t });
        }

        await call.RequestStream.CompleteAsync();
        var acks = await call.ResponseStream.ReadAllAsync().ToListAsync();
        Assert.Equal([AckStatus.Accepted, AckStatus.Rejected, AckStatus.Duplicate, AckStatus.Accepted], acks.Select(a => a.Status));
        Assert.Equal((int)StatusCode.FailedPrecondition, acks[1].Code);
        Assert.Equal("touchpoint.event_id", acks[1].Field);

        var view = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal("41.00", view.Aggregates.NetSpend.Amount);
        Assert.Equal(9, view.Version);
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task ListTouchpointsPagesTheWholeHistoryNewestFirstAcrossARestart(string store)
    {
        var id = NewCustomerId("history");
        var dataPath = TestServer.NewDataPath();
        var settings = await SettingsAsync(store, "history");
        var start = DateTimeOffset.UtcNow.AddDays(-30);

        // 23 touchpoints; pairs share an event time, so the event id decides their order.
        var sent = Enumerable.Range(0, 23)
            .Select(i => i % 3 == 0
                ? Purchase(id, i + 1, start.AddHours(i / 2), Channel.Web, eventId: $"e{i:D2}")
                : Contact(id, TouchpointKind.Visit, Channel.MobileApp, start.AddHours(i / 2), eventId: $"e{i:D2}"))
            .ToList();
        var expected = sent
            .OrderByDescending(t => t.OccurredAt.ToDateTimeOffset())
            .ThenByDescending(t => t.EventId, StringComparer.Ordinal)
            .Select(t => t.EventId)
            .ToList();

        await using (var server = await TestServer.StartAsync(dataPath, settings))
        {
            foreach (var t in Shuffled(sent))
            {
                await server.Customers.RecordTouchpointAsync(Record(t));
            }

            Assert.Equal(expected, await AllPagesAsync(server, id, pageSize: 4));
        }

        await using var restarted = await TestServer.StartAsync(dataPath, settings);
        Assert.Equal(expected, await AllPagesAsync(restarted, id, pageSize: 5));
        Assert.Equal(
            sent.Where(t => t.Channel == Channel.Web).Select(t => t.EventId).OrderBy(e => expected.IndexOf(e)),
            await AllPagesAsync(restarted, id, pageSize: 2, Channel.Web));
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task ConcurrentSendsOfOneEventAreCountedOnce(string store)
    {
        var id = NewCustomerId("race");
        await using var server = await TestServer.StartAsync(TestServer.NewDataPath(), await SettingsAsync(store, "race"));
        var purchase = Purchase(id, 12.5m);

        var acks = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ => await server.Customers.RecordTouchpointAsync(Record(purchase))));

        Assert.Single(acks, a => a.Status == AckStatus.Accepted);
        Assert.Equal(15, acks.Count(a => a.Status == AckStatus.Duplicate));
        var view = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal("12.50", view.Aggregates.NetSpend.Amount);
        Assert.Equal(1, view.Version);
    }

    private static async Task<List<string>> AllPagesAsync(TestServer server, string id, int pageSize, Channel? channel = null)
    {
        var ids = new List<string>();
        var token = "";
        do
        {
            var request = new ListTouchpointsRequest { CustomerId = id, PageSize = pageSize, PageToken = token };
            if (channel is { } c)
            {
                request.Channels.Add(c);
            }

            var page = await server.Customers.ListTouchpointsAsync(request);
            Assert.True(page.Touchpoints.Count <= pageSize);
            ids.AddRange(page.Touchpoints.Select(t => t.EventId));
            token = page.NextPageToken;
        }
        while (token != "");

        return ids;
    }

    private static List<T> Shuffled<T>(IEnumerable<T> items)
    {
        var array = items.ToArray();
        new Random(23).Shuffle(array);
        return [.. array];
    }
}

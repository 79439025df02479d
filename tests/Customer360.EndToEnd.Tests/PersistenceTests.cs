using Customer360.Api.V1;
using Customer360.Grains.Customers;
using Customer360.Server.Grpc;
using Microsoft.Extensions.DependencyInjection;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Each test runs its own server on each store (its own SQLite file; its own service id in
/// PostgreSQL) and restarts it.
/// </summary>
public sealed class PersistenceTests
{
    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task FreeTextWithControlCharactersAndAnyUnicodeSurvivesARestart(string store)
    {
        // What the API takes in an attribute value today: layout characters and any Unicode.
        const string Awkward = "a\tb\r\nc\nd\te \U0001F600 \u00e9\u4e2d";

        // What servers took before control characters other than layout were refused, and so
        // what a log may hold: PostgreSQL's text type cannot hold a NUL character, so such
        // values must reach the store some other way, and read back whole.
        const string Older = "a\0b\u0001c\nd\te \U0001F600 \u00e9\u4e2d";
        var id = NewCustomerId("free-text");
        var olderId = NewCustomerId("free-text-older");
        var dataPath = TestServer.NewDataPath();
        var settings = await TestStores.SettingsAsync(store, "free-text-" + Guid.NewGuid().ToString("N"));
        CustomerView before;
        CustomerView olderBefore;
        await using (var server = await TestServer.StartAsync(dataPath, settings))
        {
            var purchase = Purchase(id, 10m);
            purchase.Attributes["note"] = Awkward;
            await server.Customers.RecordTouchpointAsync(Record(purchase));
            await server.Customers.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = id, SetAttributes = { ["note"] = Awkward } });
            before = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

            await RecordAsAnOlderServerDidAsync(server, olderId, Older);
            olderBefore = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = olderId });
        }

        await using var restarted = await TestServer.StartAsync(dataPath, settings);
        var after = await restarted.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        var listed = await restarted.Customers.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = id });
        var olderAfter = await restarted.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = olderId });

        Assert.Equal(Awkward, before.RecentTouchpoints[0].Attributes["note"]);
        Assert.Equal(before, after);
        Assert.Equal(Awkward, listed.Touchpoints[0].Attributes["note"]);
        Assert.Equal(Awkward, after.Profile.Attributes["note"]);
        Assert.Equal(Older, olderBefore.RecentTouchpoints[0].Attributes["note"]);
        Assert.Equal(olderBefore, olderAfter);
        Assert.Equal(Older, olderAfter.Profile.Attributes["note"]);
    }

    /// <summary>A purchase and a profile attribute with <paramref name="note"/>, handed to the customer's grain past the API's text rules.</summary>
    private static async Task RecordAsAnOlderServerDidAsync(TestServer server, string customerId, string note)
    {
        var validation = server.Services.GetRequiredService<ApiValidation>();
        var (purchase, error) = validation.Touchpoints.Validate(ProtoMapper.ToDomain(Purchase(customerId, 10m), "touchpoint"), DateTimeOffset.UtcNow);
        Assert.Null(error);
        var attributes = new Dictionary<string, string> { ["note"] = note };
        var customer = new CustomerGrains(server.Services.GetRequiredService<IGrainFactory>()).Get(customerId);
        await customer.RecordTouchpointAsync(purchase! with { Attributes = attributes });
        await customer.UpsertProfileAsync(new Domain.Customers.ProfilePatch { SetAttributes = attributes });
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task TheKeysThatRecordedTouchpointsSurviveARestart(string store)
    {
        const string Key = "restart-key-4c9e";
        const string OtherKey = "restart-key-other-0b17";
        var id = NewCustomerId("recorded-by");
        var dataPath = TestServer.NewDataPath();
        var settings = await TestStores.SettingsAsync(store, "recorded-by-" + Guid.NewGuid().ToString("N"));
        settings["Customer360:Auth:Keys:web_shop:Sha256"] = Server.Security.ApiKeys.DigestOf(Key);
        settings["Customer360:Auth:Keys:web_shop:Roles"] = "operator";
        settings["Customer360:Auth:Keys:back_office:Sha256"] = Server.Security.ApiKeys.DigestOf(OtherKey);
        settings["Customer360:Auth:Keys:back_office:Roles"] = "operator";
        await using (var server = await TestServer.StartAsync(dataPath, settings))
        {
            await KeyedServerFixture.CustomersWith(server, Key).RecordTouchpointAsync(Record(Purchase(id, 10m, DateTimeOffset.UtcNow.AddHours(-1))));
            await KeyedServerFixture.CustomersWith(server, OtherKey).RecordTouchpointAsync(Record(Purchase(id, 20m)));
        }

        await using var restarted = await TestServer.StartAsync(dataPath, settings);
        var agent = KeyedServerFixture.CustomersWith(restarted, Key);
        var view = await agent.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        var listed = await agent.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = id });

        Assert.Equal(["back_office", "web_shop"], view.RecentTouchpoints.Select(t => t.RecordedBy));
        Assert.Equal(["back_office", "web_shop"], listed.Touchpoints.Select(t => t.RecordedBy));
    }

    [Fact]
    public async Task TheKeyThatChangedAProfileIsReadFromTheLogWithTheReadmesQuery()
    {
        const string Key = "audit-key-93d1";
        var id = NewCustomerId("audited");
        var serviceId = "audited-" + Guid.NewGuid().ToString("N");
        var settings = await TestStores.SettingsAsync(TestStores.Postgres, serviceId);
        settings["Customer360:Auth:Keys:call_centre:Sha256"] = Server.Security.ApiKeys.DigestOf(Key);
        settings["Customer360:Auth:Keys:call_centre:Roles"] = "agent";
        await using (var server = await TestServer.StartAsync(TestServer.NewDataPath(), settings))
        {
            await KeyedServerFixture.CustomersWith(server, Key).UpsertProfileAsync(new UpsertProfileRequest { CustomerId = id, GivenName = "Ada" });
        }

        // README, "Who wrote what", with this test's service id.
        await using var connection = new Npgsql.NpgsqlConnection(settings["Customer360:Storage:ConnectionString"]);
        await connection.OpenAsync();
        await using var query = new Npgsql.NpgsqlCommand(
            """
            SELECT c.customer_id, l.sequence, l.payload::json ->> 'recordedBy' AS recorded_by
            FROM customer360_log AS l JOIN customer360_customer AS c USING (customer_key)
            WHERE c.service_id = @service AND l.kind = 2   -- 2: profile changes, 1: touchpoints
            ORDER BY c.customer_id, l.sequence;
            """,
            connection);
        query.Parameters.AddWithValue("service", serviceId);
        await using var rows = await query.ExecuteReaderAsync();
        var found = new List<(string, long, string)>();
        while (await rows.ReadAsync())
        {
            found.Add((rows.GetString(0), rows.GetInt64(1), rows.GetString(2)));
        }

        Assert.Equal([(id, 1L, "call_centre")], found);
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task CustomersTouchpointsAndSegmentsSurviveARestart(string store)
    {
        var prefix = NewCustomerId("restart");
        var dataPath = TestServer.NewDataPath();
        var settings = await TestStores.SettingsAsync(store, "restart-" + Guid.NewGuid().ToString("N"));
        Dictionary<string, CustomerView> before = [];
        ListSegmentsResponse segmentsBefore;
        await using (var server = await TestServer.StartAsync(dataPath, settings))
        {
            for (var i = 0; i < 30; i++)
            {
                var id = $"{prefix}-{i}";
                await server.Customers.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = id, GivenName = $"Name {i}" });
                await server.Customers.RecordTouchpointAsync(Record(Purchase(id, 100m * i, channel: i % 2 == 0 ? Channel.Web : Channel.PointOfSale)));
                await server.Customers.RecordTouchpointAsync(Record(Contact(id, TouchpointKind.Call, Channel.CallCentre)));
            }

            for (var i = 0; i < 30; i++)
            {
                var id = $"{prefix}-{i}";
                before[id] = await server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
            }

            segmentsBefore = await Converged.SegmentsAsync(server, before.Values);
        }

        await using (var restarted = await TestServer.StartAsync(dataPath, settings))
        {
            // Segments first: a customer read now is activated and re-states its memberships,
            // which would mend figures the store had lost.
            var segmentsAfter = await restarted.Segments.ListSegmentsAsync(new ListSegmentsRequest());
            Assert.Equal(
                segmentsBefore.Segments.Select(s => (s.SegmentId, s.MemberCount, s.TotalNetSpend.Amount, s.TotalValueScore.Amount)),
                segmentsAfter.Segments.Select(s => (s.SegmentId, s.MemberCount, s.TotalNetSpend.Amount, s.TotalValueScore.Amount)));

            foreach (var (id, expected) in before)
            {
                var view = await restarted.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
                Assert.Equal(expected, view);
            }

            // A retry after the restart is still recognised.
            var retry = before.Values.First().RecentTouchpoints[0];
            var ack = await restarted.Customers.RecordTouchpointAsync(Record(retry));
            Assert.Equal(AckStatus.Duplicate, ack.Status);
        }
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task IdsDifferingOnlyInCaseOrLeadingZerosAreDifferentCustomersInStorage(string store)
    {
        // Orleans' ADO.NET storage turns keys that parse as hex or GUIDs into numbers; each of
        // these ids must still be its own customer, across a restart that reads them back.
        var guid = Guid.NewGuid();
        string[] ids =
        [
            "abc", "ABC", "0abc", "00abc", "Abc",
            guid.ToString().ToLowerInvariant(), guid.ToString().ToUpperInvariant(), guid.ToString("N"),
            "123", "0123", "0x123", "abc+1", "abc+01",
        ];
        var dataPath = TestServer.NewDataPath();
        var settings = await TestStores.SettingsAsync(store, "keys-" + Guid.NewGuid().ToString("N"));
        await using (var server = await TestServer.StartAsync(dataPath, settings))
        {
            for (var i = 0; i < ids.Length; i++)
            {
                await server.Customers.RecordTouchpointAsync(Record(Purchase(ids[i], i + 1)));
                await server.Customers.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = ids[i], GivenName = ids[i] });
            }
        }

        await using var restarted = await TestServer.StartAsync(dataPath, settings);
        for (var i = 0; i < ids.Length; i++)
        {
            var view = await restarted.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = ids[i] });
            Assert.Equal(ids[i], view.CustomerId);
            Assert.Equal(ids[i], view.Profile.GivenName);
            Assert.Equal(2, view.Version);
            Assert.Equal($"{i + 1}.00", view.Aggregates.NetSpend.Amount);
        }
    }
}

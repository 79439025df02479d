using Customer360.Api.V1;
using Grpc.Core;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Each touchpoint says which API key recorded it (<c>recorded_by</c>), set by the server from
/// the key the call was let through with, never from the message; a retry through another key is
/// a duplicate and leaves the first key on record.
/// </summary>
public sealed class RecordedByTests(KeyedServerFixture fixture) : IClassFixture<KeyedServerFixture>
{
    [Fact]
    public async Task EachTouchpointNamesTheKeyThatRecordedItWhateverTheMessageSays()
    {
        var id = NewCustomerId("recorded-by");
        var tills = fixture.Customers(KeyedServerFixture.TillKey);
        var operations = fixture.Customers(KeyedServerFixture.OperatorKey);
        var sale = Purchase(id, 10m, DateTimeOffset.UtcNow.AddMinutes(-10));
        sale.RecordedBy = "someone-else";
        await tills.RecordTouchpointAsync(Record(sale));
        var streamed = Purchase(id, 5m, DateTimeOffset.UtcNow.AddMinutes(-5));
        streamed.RecordedBy = "someone-else";
        using (var stream = operations.StreamTouchpointBatches())
        {
            await stream.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = streamed });
            await stream.RequestStream.CompleteAsync();
            var acks = await stream.ResponseStream.ReadAllAsync().SelectMany(b => b.Acks.ToAsyncEnumerable()).ToListAsync();
            Assert.Equal(AckStatus.Accepted, Assert.Single(acks).Status);
        }

        var retried = await operations.RecordTouchpointAsync(Record(sale));
        var agents = fixture.Customers(KeyedServerFixture.AgentKey);
        var view = await agents.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        var listed = await agents.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = id });
        using var watch = agents.WatchCustomer(new WatchCustomerRequest { CustomerId = id });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));

        // Newest first: the streamed touchpoint, then the sale.
        Assert.Equal(AckStatus.Duplicate, retried.Status);
        Assert.Equal(["operations", "store_tills"], view.RecentTouchpoints.Select(t => t.RecordedBy));
        Assert.Equal(["operations", "store_tills"], listed.Touchpoints.Select(t => t.RecordedBy));
        Assert.Equal(["operations", "store_tills"], watch.ResponseStream.Current.RecentTouchpoints.Select(t => t.RecordedBy));
    }
}

/// <summary>A server that takes calls without keys records no key.</summary>
[Collection(ServerCollection.Name)]
public sealed class RecordedByWithoutKeysTests(ServerFixture fixture)
{
    [Fact]
    public async Task WithoutKeysNoKeyIsRecordedWhateverTheMessageSays()
    {
        var id = NewCustomerId("recorded-by-none");
        var sale = Purchase(id, 10m);
        sale.RecordedBy = "someone";
        await fixture.Server.Customers.RecordTouchpointAsync(Record(sale));

        var view = await fixture.Server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        Assert.Equal("", Assert.Single(view.RecentTouchpoints).RecordedBy);
    }
}

using System.Globalization;
using Customer360.Api.V1;
using Grpc.Core;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// A request message above <c>Customer360:Grpc:MaxMessageBytes</c> (1 MB here) is refused with
/// RESOURCE_EXHAUSTED and nothing of it is applied. On a touchpoint stream only that message is
/// refused, one REJECTED ack per touchpoint in it, and the stream goes on; a message above four
/// times the limit is not read, and ends the stream.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class MessageSizeTests(ServerFixture fixture)
{
    private const int Limit = 1024 * 1024;

    private CustomerService.CustomerServiceClient Customers => fixture.Server.Customers;

    [Fact]
    public async Task AStreamMessageAboveTheLimitIsRefusedAloneAndTheStreamGoesOn()
    {
        var id = NewCustomerId("large-message");
        var tooLarge = MessageOf(id, 70);

        using var stream = Customers.StreamTouchpoints();
        await stream.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 1m) });
        await stream.RequestStream.WriteAsync(tooLarge);
        await stream.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 2m) });
        await stream.RequestStream.CompleteAsync();
        var acks = await stream.ResponseStream.ReadAllAsync().ToListAsync();
        var view = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        Assert.InRange(tooLarge.CalculateSize(), Limit + 1, 4 * Limit);
        Assert.Equal([AckStatus.Accepted, .. Enumerable.Repeat(AckStatus.Rejected, 70), AckStatus.Accepted], acks.Select(a => a.Status));
        Assert.Equal(Enumerable.Range(0, 72).Select(i => (long)i), acks.Select(a => a.Sequence));
        Assert.Equal(tooLarge.Touchpoints.Select(t => t.EventId), acks.Skip(1).Take(70).Select(a => a.EventId));
        Assert.All(acks.Skip(1).Take(70), ack =>
        {
            Assert.Equal((int)StatusCode.ResourceExhausted, ack.Code);
            Assert.Equal(Refusal(tooLarge.CalculateSize()), ack.Reason);
        });
        Assert.Equal(2, view.Aggregates.TouchpointCount);
        Assert.Equal("3.00", view.Aggregates.NetSpend.Amount);
    }

    [Fact]
    public async Task AStreamMessageAboveFourTimesTheLimitEndsTheStream()
    {
        var id = NewCustomerId("huge-message");
        var huge = MessageOf(id, 270);

        using var stream = Customers.StreamTouchpoints();
        try
        {
            await stream.RequestStream.WriteAsync(huge);
        }
        catch (Exception)
        {
            // The server may end the call before the whole message is sent. How the write then
            // fails is the HTTP client's affair (an RpcException, an InvalidOperationException,
            // or, when the reset lands mid-frame, a NullReferenceException from inside
            // SocketsHttpHandler); what the server answered is read below.
        }

        var ended = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None));

        Assert.True(huge.CalculateSize() > 4 * Limit);
        Assert.Equal(StatusCode.ResourceExhausted, ended.StatusCode);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task AWatchRequestAboveTheLimitIsRefusedWithResourceExhausted()
    {
        var request = new WatchCustomerRequest { CustomerId = new string('w', Limit + 10) };

        using var watch = Customers.WatchCustomer(request);
        var refused = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal(Refusal(request.CalculateSize()), refused.Status.Detail);
    }

    [Fact]
    public async Task AnotherServicesRequestAboveTheLimitIsNotEvenRead()
    {
        var request = new GetSegmentRequest { SegmentId = new string('s', 2 * Limit) };

        var refused = await Assert.ThrowsAsync<RpcException>(() => fixture.Server.Segments.GetSegmentAsync(request).ResponseAsync);

        // gRPC's own refusal, before the message is read; the customer service reads up to four
        // times the limit and refuses it itself ("request: the message is ...").
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.DoesNotContain("request: the message is", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("100")]
    [InlineData("1000000000")]
    public async Task ALimitOutOfRangeStopsTheStartNamingTheSetting(string bytes)
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await TestServer.StartAsync(settings: new Dictionary<string, string?> { ["Customer360:Grpc:MaxMessageBytes"] = bytes }));

        Assert.Equal(Invariant($"Customer360:Grpc:MaxMessageBytes must be from 1,024 to 268,435,456, got {long.Parse(bytes, CultureInfo.InvariantCulture):N0}"), refused.Message);
    }

    [Fact]
    public async Task AMessageAboveTheLimitTakesOneTokenOfItsKeysRateNotOneATouchpoint()
    {
        const string Key = "limited-size-6d02";
        await using var server = await TestServer.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Customer360:Auth:Keys:gateway:Sha256"] = Server.Security.ApiKeys.DigestOf(Key),
            ["Customer360:Auth:Keys:gateway:Roles"] = "till",

            // Three tokens (the stream's opening, the refused message, the touchpoint after it) and
            // no refill during the test: 70 for the refused message would never come.
            ["Customer360:Auth:Keys:gateway:RatePerSecond"] = "0.001",
            ["Customer360:Auth:Keys:gateway:Burst"] = "3",
        });
        var id = NewCustomerId("large-limited");

        using var stream = KeyedServerFixture.CustomersWith(server, Key).StreamTouchpoints();
        await stream.RequestStream.WriteAsync(MessageOf(id, 70));
        await stream.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 2m) });
        await stream.RequestStream.CompleteAsync();
        using var hang = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var acks = await stream.ResponseStream.ReadAllAsync(hang.Token).ToListAsync(hang.Token);

        Assert.Equal([.. Enumerable.Repeat(AckStatus.Rejected, 70), AckStatus.Accepted], acks.Select(a => a.Status));
    }

    [Fact]
    public async Task AStreamEndedByAMessageAboveFourTimesTheLimitStillAcknowledgesWhatCameBefore()
    {
        var ids = Enumerable.Range(0, 50).Select(_ => NewCustomerId("before-huge")).ToArray();

        using var stream = Customers.StreamTouchpointBatches();
        foreach (var id in ids)
        {
            await stream.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 3m) });
        }

        try
        {
            await stream.RequestStream.WriteAsync(MessageOf(NewCustomerId("huge"), 270));
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException)
        {
            // The server may end the call before the whole message is sent.
        }

        var acks = new List<TouchpointAck>();
        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await stream.ResponseStream.MoveNext(CancellationToken.None))
            {
                acks.AddRange(stream.ResponseStream.Current.Acks);
            }
        });

        Assert.Equal(StatusCode.ResourceExhausted, ended.StatusCode);
        Assert.Equal(Enumerable.Repeat(AckStatus.Accepted, 50), acks.Select(a => a.Status));
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Refusal(int size) =>
        Invariant($"request: the message is {size:N0} bytes; the server accepts at most {Limit:N0} (Customer360:Grpc:MaxMessageBytes)");

    /// <summary>A batch of <paramref name="count"/> touchpoints of 16,000 bytes each, every one within the touchpoint limit.</summary>
    private static StreamTouchpointsRequest MessageOf(string customerId, int count)
    {
        var message = new StreamTouchpointsRequest();
        var at = DateTimeOffset.UtcNow.AddHours(-1);
        for (var i = 0; i < count; i++)
        {
            message.Touchpoints.Add(Sized(customerId, at.AddSeconds(-i), 16_000));
        }

        return message;
    }
}

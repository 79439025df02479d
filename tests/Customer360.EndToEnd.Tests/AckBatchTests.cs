using Customer360.Api.V1;
using Customer360.Server.Grpc;
using Grpc.Core;
using static Customer360.EndToEnd.Tests.Touchpoints;
using Channels = System.Threading.Channels;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// <c>StreamTouchpointBatches</c>: touchpoints taken exactly as by <c>StreamTouchpoints</c>, their
/// acks sent several to a message.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class AckBatchTests(ServerFixture fixture)
{
    private CustomerService.CustomerServiceClient Customers => fixture.Server.Customers;

    [Fact]
    public async Task EveryTouchpointIsAcknowledgedOnceInStreamOrderAcrossTheBatches()
    {
        var ids = Enumerable.Range(0, 10).Select(_ => NewCustomerId("ackbatch")).ToArray();
        var fresh = Enumerable.Range(0, 600).Select(i => Purchase(ids[i % ids.Length], 1m + (i % 5))).ToArray();
        var bad = Purchase(ids[0], 3m);
        bad.Amount = null;

        // Messages of 60, each ending with a repeat of its own first touchpoint (answered
        // DUPLICATE), and one message in the middle with a touchpoint the server refuses.
        var sent = new List<Touchpoint>();
        using var call = Customers.StreamTouchpointBatches();
        var reader = Task.Run(async () => await call.ResponseStream.ReadAllAsync().ToListAsync());
        foreach (var (chunk, index) in fresh.Chunk(60).Select((c, i) => (c, i)))
        {
            var message = new StreamTouchpointsRequest();
            message.Touchpoints.Add(chunk);
            message.Touchpoints.Add(chunk[0]);
            if (index == 4)
            {
                message.Touchpoints.Add(bad);
            }

            sent.AddRange(message.Touchpoints);
            await call.RequestStream.WriteAsync(message);
        }

        await call.RequestStream.CompleteAsync();
        var batches = await reader;
        var acks = batches.SelectMany(b => b.Acks).ToList();

        Assert.All(batches, b => Assert.NotEmpty(b.Acks));
        Assert.Equal(sent.Select(t => t.EventId), acks.Select(a => a.EventId));
        Assert.Equal(Enumerable.Range(0, sent.Count).Select(i => (long)i), acks.Select(a => a.Sequence));
        Assert.Equal(600, acks.Count(a => a.Status == AckStatus.Accepted));
        Assert.Equal(10, acks.Count(a => a.Status == AckStatus.Duplicate));
        var refused = Assert.Single(acks, a => a.Status == AckStatus.Rejected);
        Assert.Equal("touchpoints[61].amount", refused.Field);
        Assert.Equal((int)StatusCode.InvalidArgument, refused.Code);
        foreach (var id in ids)
        {
            var view = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
            Assert.Equal(60, view.Aggregates.TouchpointCount);
        }
    }

    [Fact]
    public async Task AMessageTakesTheOldestAckAndEveryLaterOneAlreadyDecidedWithoutWaitingForMore()
    {
        var acks = Channels.Channel.CreateUnbounded<Task<TouchpointAck>>();
        var later = new TaskCompletionSource<TouchpointAck>(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var decided in new[] { "a", "b", "c" })
        {
            acks.Writer.TryWrite(Task.FromResult(new TouchpointAck { EventId = decided }));
        }

        acks.Writer.TryWrite(later.Task);
        acks.Writer.TryWrite(Task.FromResult(new TouchpointAck { EventId = "e" }));
        var sent = Channels.Channel.CreateUnbounded<TouchpointAckBatch>();

        var writing = CustomerApi.WriteAckBatchesAsync(acks.Reader, batch => sent.Writer.WriteAsync(batch).AsTask(), CancellationToken.None);

        // "d" is not decided: the first message leaves with what was ready before it.
        var first = await sent.Reader.ReadAsync();
        Assert.Equal(["a", "b", "c"], first.Acks.Select(a => a.EventId));
        Assert.False(sent.Reader.TryRead(out _));

        later.SetResult(new TouchpointAck { EventId = "d" });
        acks.Writer.Complete();
        await writing;
        var second = await sent.Reader.ReadAsync();
        Assert.Equal(["d", "e"], second.Acks.Select(a => a.EventId));
        Assert.False(sent.Reader.TryRead(out _));
    }
}

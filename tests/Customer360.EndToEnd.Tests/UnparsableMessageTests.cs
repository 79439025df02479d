using Customer360.Api.V1;
using Google.Protobuf;
using Grpc.Core;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Bytes a protobuf library would not write itself, as a till built on a C library sends when it
/// copies a Latin-1 name into a string field: every method answers INVALID_ARGUMENT naming the
/// request, applies nothing, and leaves no error in the server's log.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class UnparsableMessageTests(ServerFixture fixture)
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);

    /// <summary>Request messages protobuf cannot parse, each of a different fault.</summary>
    public static TheoryData<string> Faults => new() { "not-utf8", "truncated-varint", "truncated-field", "invalid-wire-type" };

    /// <summary>A RecordTouchpointRequest (or a StreamTouchpointsRequest: the touchpoint is field 1 of both) of <paramref name="customerId"/> with <paramref name="fault"/>.</summary>
    public static byte[] Unparsable(string fault, string customerId) => fault switch
    {
        // A purchase whose source_system is "café" in Latin-1: 0xE9 alone is not UTF-8.
        "not-utf8" => Wrapped(NotUtf8(customerId)),

        // A whole touchpoint, then field 2 as a varint whose last byte says more are to come.
        "truncated-varint" => [.. Wrapped(Purchase(customerId, 10m).ToByteArray()), 0x10, 0x80],

        // The touchpoint's length says 200 bytes; fewer follow.
        "truncated-field" => [0x0A, 0xC8, 0x01, .. Purchase(customerId, 10m).ToByteArray()[..20]],

        // Wire type 7 does not exist (a field of a known number sent with another valid wire
        // type is kept as an unknown field, as protobuf requires).
        "invalid-wire-type" => [.. Wrapped(Purchase(customerId, 10m).ToByteArray()), 0x17, 0x01],
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task AnUnparsableTouchpointIsInvalidArgumentAndNothingIsApplied(string fault)
    {
        var id = NewCustomerId("unparsable");
        var method = new Method<byte[], byte[]>(MethodType.Unary, "customer360.v1.CustomerService", "RecordTouchpoint", Raw, Raw);

        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Server.Channel.CreateCallInvoker().AsyncUnaryCall(method, null, default, Unparsable(fault, id)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith("request: could not be parsed as a RecordTouchpointRequest message", refused.Status.Detail);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => fixture.Server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    public static TheoryData<string, string> StreamsAndFaults()
    {
        var cases = new TheoryData<string, string>();
        foreach (var stream in new[] { "StreamTouchpoints", "StreamTouchpointBatches" })
        {
            foreach (var fault in Faults)
            {
                cases.Add(stream, fault);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(StreamsAndFaults))]
    public async Task AStreamRejectsAnUnparsableMessageAloneAndGoesOn(string stream, string fault)
    {
        var id = NewCustomerId("unparsable-stream");
        var method = new Method<byte[], byte[]>(MethodType.DuplexStreaming, "customer360.v1.CustomerService", stream, Raw, Raw);
        using var call = fixture.Server.Channel.CreateCallInvoker().AsyncDuplexStreamingCall(method, null, default);

        await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 1m) }.ToByteArray());
        await call.RequestStream.WriteAsync(Unparsable(fault, id));
        await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 2m) }.ToByteArray());
        await call.RequestStream.CompleteAsync();
        var acks = new List<TouchpointAck>();
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            acks.AddRange(stream == "StreamTouchpoints" ? [TouchpointAck.Parser.ParseFrom(reply)] : TouchpointAckBatch.Parser.ParseFrom(reply).Acks);
        }

        Assert.Equal([AckStatus.Accepted, AckStatus.Rejected, AckStatus.Accepted], acks.Select(a => a.Status));
        Assert.Equal([0L, 1L, 2L], acks.Select(a => a.Sequence));
        Assert.Equal(("request", (int)StatusCode.InvalidArgument), (acks[1].Field, acks[1].Code));
        Assert.StartsWith("request: could not be parsed as a StreamTouchpointsRequest message", acks[1].Reason);
        var view = await fixture.Server.Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal(2, view.Aggregates.TouchpointCount);
    }

    public static TheoryData<string, string> RequestReadingMethods()
    {
        var methods = new TheoryData<string, string>();
        foreach (var service in new[] { CustomerService.Descriptor, SegmentService.Descriptor, ValueModelService.Descriptor })
        {
            foreach (var method in service.Methods.Where(m => !m.IsClientStreaming))
            {
                methods.Add(service.FullName, method.Name);
            }
        }

        return methods;
    }

    [Theory]
    [MemberData(nameof(RequestReadingMethods))]
    public async Task EveryMethodAnswersAnUnparsableRequestWithInvalidArgument(string service, string name)
    {
        var descriptor = new[] { CustomerService.Descriptor, SegmentService.Descriptor, ValueModelService.Descriptor }
            .Single(s => s.FullName == service).FindMethodByName(name);
        var invoker = fixture.Server.Channel.CreateCallInvoker();
        byte[] unparsable = [0x0F];

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            if (descriptor.IsServerStreaming)
            {
                using var call = invoker.AsyncServerStreamingCall(new Method<byte[], byte[]>(MethodType.ServerStreaming, service, name, Raw, Raw), null, default, unparsable);
                await call.ResponseStream.MoveNext();
            }
            else
            {
                await invoker.AsyncUnaryCall(new Method<byte[], byte[]>(MethodType.Unary, service, name, Raw, Raw), null, default, unparsable);
            }
        });

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith($"request: could not be parsed as a {descriptor.InputType.Name} message", refused.Status.Detail);
    }

    [Fact]
    public async Task UnparsableRequestsLeaveNoErrorInTheServersLog()
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Customer360:Storage:DataPath"] = TestServer.NewDataPath(),
        });
        var invoker = server.Channel.CreateCallInvoker();
        var method = new Method<byte[], byte[]>(MethodType.Unary, "customer360.v1.CustomerService", "RecordTouchpoint", Raw, Raw);

        var answers = new List<StatusCode>();
        foreach (var fault in Faults)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() =>
                invoker.AsyncUnaryCall(method, null, default, Unparsable(fault, NewCustomerId("unparsable-log"))).ResponseAsync);
            answers.Add(refused.StatusCode);
        }

        // Anything the calls logged has been written once the server has stopped.
        await server.StopAsync(TimeSpan.FromMinutes(1));
        var output = server.Output;
        var failures = Enumerable.Range(0, output.Count)
            .Where(i => output[i].StartsWith("fail: Grpc.AspNetCore", StringComparison.Ordinal) || output[i].Contains("InvalidProtocolBufferException", StringComparison.Ordinal))
            .Select(i => string.Join('\n', output.Skip(i).Take(6)))
            .ToList();
        Assert.True(failures.Count == 0, $"The server logged {failures.Count} failures, the first:\n{failures.FirstOrDefault()}");
        Assert.All(answers, code => Assert.Equal(StatusCode.InvalidArgument, code));
    }

    private static byte[] NotUtf8(string customerId)
    {
        var touchpoint = Purchase(customerId, 10m);
        touchpoint.SourceSystem = "cafe";
        var bytes = touchpoint.ToByteArray();
        var at = bytes.AsSpan().IndexOf("cafe"u8);
        Assert.True(at > 0);
        bytes[at + 3] = 0xE9;
        return bytes;
    }

    /// <summary>Field 1, length-delimited: the touchpoint of a RecordTouchpointRequest or a StreamTouchpointsRequest.</summary>
    private static byte[] Wrapped(byte[] touchpoint)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(touchpoint));
        output.Flush();
        return stream.ToArray();
    }
}

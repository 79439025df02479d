using Customer360.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

/// <summary>Every bad input is refused with INVALID_ARGUMENT naming the field, and nothing is applied.</summary>
[Collection(ServerCollection.Name)]
public sealed class BadInputTests(ServerFixture fixture)
{
    private CustomerService.CustomerServiceClient Customers => fixture.Server.Customers;

    public static TheoryData<string, string> BadTouchpoints => new()
    {
        { "empty-customer-id", "touchpoint.customer_id" },
        { "long-customer-id", "touchpoint.customer_id" },
        { "control-char-customer-id", "touchpoint.customer_id" },
        { "empty-event-id", "touchpoint.event_id" },
        { "missing-occurred-at", "touchpoint.occurred_at" },
        { "future-occurred-at", "touchpoint.occurred_at" },
        { "year-one-occurred-at", "touchpoint.occurred_at" },
        { "year-1900-occurred-at", "touchpoint.occurred_at" },
        { "unix-epoch-occurred-at", "touchpoint.occurred_at" },
        { "purchase-without-amount", "touchpoint.amount" },
        { "return-without-amount", "touchpoint.amount" },
        { "purchase-without-currency", "touchpoint.amount.currency_code" },
        { "negative-amount", "touchpoint.amount.amount" },
        { "unparseable-amount", "touchpoint.amount.amount" },
        { "amount-with-plus-sign", "touchpoint.amount.amount" },
        { "amount-with-minus-zero", "touchpoint.amount.amount" },
        { "amount-without-whole-digits", "touchpoint.amount.amount" },
        { "amount-ending-in-point", "touchpoint.amount.amount" },
        { "amount-with-leading-zeros", "touchpoint.amount.amount" },
        { "unit-price-with-leading-zeros", "touchpoint.line_items[0].unit_price.amount" },
        { "unknown-currency", "touchpoint.amount.currency_code" },
        { "unspecified-channel", "touchpoint.channel" },
        { "unspecified-kind", "touchpoint.kind" },
        { "too-many-line-items", "touchpoint.line_items" },
        { "too-many-attributes", "touchpoint.attributes" },
        { "bad-line-item", "touchpoint.line_items[0].quantity" },
        { "sku-with-terminal-escape", "touchpoint.line_items[0].sku" },
        { "sku-of-only-white-space", "touchpoint.line_items[0].sku" },
        { "category-with-line-break", "touchpoint.line_items[0].category" },
        { "source-system-with-bell", "touchpoint.source_system" },
        { "attribute-key-of-only-white-space", "touchpoint.attributes[ ]" },
        { "attribute-value-with-nul", "touchpoint.attributes[note]" },
    };

    public static TheoryData<string, string> BadProfilePatches => new()
    {
        { "empty-key-to-remove", "remove_attributes[0]" },
        { "key-to-remove-with-control-character", "remove_attributes[0]" },
        { "key-to-remove-too-long", "remove_attributes[0]" },
        { "too-many-keys-to-remove", "remove_attributes" },
        { "key-set-and-removed", "remove_attributes[0]" },
        { "two-consents-for-one-channel", "consents[1].channel" },
        { "given-name-of-only-white-space", "given_name" },
        { "phone-number-twice", "phone_numbers[1]" },
        { "attribute-value-with-nul", "set_attributes[note]" },
    };

    [Theory]
    [MemberData(nameof(BadTouchpoints))]
    public async Task BadTouchpointIsRejectedWithInvalidArgumentNamingTheField(string problem, string field)
    {
        var id = NewCustomerId();
        var touchpoint = Break(Purchase(id, 10m), problem);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Customers.RecordTouchpointAsync(Record(touchpoint)).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith(field + ":", ex.Status.Detail);
        await AssertNothingAppliedAsync(id);
    }

    [Theory]
    [MemberData(nameof(BadTouchpoints))]
    public async Task BadTouchpointInAStreamRejectsOnlyThatMessage(string problem, string field)
    {
        var id = NewCustomerId();
        var before = Purchase(id, 1m);
        var bad = Break(Purchase(id, 10m), problem);
        var after = Purchase(id, 2m);

        using var call = Customers.StreamTouchpoints();
        foreach (var t in new[] { before, bad, after })
        {
            await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = t });
        }

        await call.RequestStream.CompleteAsync();
        var acks = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.Equal([AckStatus.Accepted, AckStatus.Rejected, AckStatus.Accepted], acks.Select(a => a.Status));
        Assert.Equal(field, acks[1].Field);
        Assert.Equal((int)StatusCode.InvalidArgument, acks[1].Code);
        var view = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal("3.00", view.Aggregates.NetSpend.Amount);
        Assert.Equal(2, view.Aggregates.TouchpointCount);
    }

    [Theory]
    [MemberData(nameof(BadTouchpoints))]
    public async Task BadTouchpointInABatchRejectsOnlyThatTouchpointNamingItsPlace(string problem, string field)
    {
        var id = NewCustomerId();
        var message = new StreamTouchpointsRequest { Touchpoint = Purchase(id, 1m) };
        message.Touchpoints.Add(Purchase(id, 2m));
        message.Touchpoints.Add(Break(Purchase(id, 10m), problem));
        message.Touchpoints.Add(Purchase(id, 4m));

        using var call = Customers.StreamTouchpoints();
        await call.RequestStream.WriteAsync(message);
        await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 8m) });
        await call.RequestStream.CompleteAsync();
        var acks = await call.ResponseStream.ReadAllAsync().ToListAsync();

        // One ack per touchpoint, numbered across messages; `touchpoint` comes before `touchpoints`.
        Assert.Equal([AckStatus.Accepted, AckStatus.Accepted, AckStatus.Rejected, AckStatus.Accepted, AckStatus.Accepted], acks.Select(a => a.Status));
        Assert.Equal([0L, 1L, 2L, 3L, 4L], acks.Select(a => a.Sequence));
        Assert.Equal("touchpoints[1]" + field["touchpoint".Length..], acks[2].Field);
        Assert.Equal((int)StatusCode.InvalidArgument, acks[2].Code);
        var view = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal("15.00", view.Aggregates.NetSpend.Amount);
        Assert.Equal(4, view.Aggregates.TouchpointCount);
    }

    [Fact]
    public async Task StreamMessageWithoutTouchpointIsRejected()
    {
        using var call = Customers.StreamTouchpoints();
        await call.RequestStream.WriteAsync(new StreamTouchpointsRequest());
        await call.RequestStream.CompleteAsync();
        var ack = Assert.Single(await call.ResponseStream.ReadAllAsync().ToListAsync());

        Assert.Equal(AckStatus.Rejected, ack.Status);
        Assert.Equal("touchpoint", ack.Field);
    }

    [Fact]
    public async Task AStreamAckNamesAnAttributeWhoseKeyHoldsAColonWhole()
    {
        // A key may hold ": ", the separator of a status's field and reason; the ack's field is
        // the whole key all the same, as a till needs it to find the value it sent.
        var id = NewCustomerId();
        var touchpoint = Contact(id, TouchpointKind.Visit, Channel.Web);
        touchpoint.Attributes["note: x"] = new string('v', 600);

        using var call = Customers.StreamTouchpoints();
        await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = touchpoint });
        await call.RequestStream.CompleteAsync();
        var ack = Assert.Single(await call.ResponseStream.ReadAllAsync().ToListAsync());

        Assert.Equal(AckStatus.Rejected, ack.Status);
        Assert.Equal("touchpoint.attributes[note: x]", ack.Field);
        Assert.StartsWith("touchpoint.attributes[note: x]: ", ack.Reason);
        await AssertNothingAppliedAsync(id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has\nnewline")]
    public async Task BadCustomerIdIsRejectedOnEveryCustomerRead(string customerId)
    {
        var get = await Assert.ThrowsAsync<RpcException>(() => Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customerId }).ResponseAsync);
        var list = await Assert.ThrowsAsync<RpcException>(() => Customers.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = customerId }).ResponseAsync);
        var upsert = await Assert.ThrowsAsync<RpcException>(() => Customers.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = customerId }).ResponseAsync);

        Assert.All(new[] { get, list, upsert }, ex =>
        {
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.StartsWith("customer_id:", ex.Status.Detail);
        });
    }

    [Fact]
    public async Task TooManyProfileAttributesRefuseTheWholePatch()
    {
        var id = NewCustomerId();
        var first = new UpsertProfileRequest { CustomerId = id, GivenName = "Kept" };
        for (var i = 0; i < 30; i++)
        {
            first.SetAttributes[$"a{i}"] = "x";
        }

        await Customers.UpsertProfileAsync(first);
        var second = new UpsertProfileRequest { CustomerId = id, GivenName = "Changed" };
        for (var i = 0; i < 5; i++)
        {
            second.SetAttributes[$"b{i}"] = "y";
        }

        var ex = await Assert.ThrowsAsync<RpcException>(() => Customers.UpsertProfileAsync(second).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("set_attributes:", ex.Status.Detail);
        var view = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal("Kept", view.Profile.GivenName);
        Assert.Equal(30, view.Profile.Attributes.Count);
        Assert.Equal(1, view.Version);
    }

    [Fact]
    public Task AConsentDatedFarAheadRefusesTheWholePatch() =>
        AssertConsentsRefuseTheWholePatchAsync(
            "consents[0].updated_at: is more than 24 h in the future",
            new Consent { Channel = MarketingChannel.Email, Granted = true, UpdatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(9999, 1, 1, 0, 0, 0, TimeSpan.Zero)) });

    /// <summary>A patch renaming the customer with <paramref name="consents"/> is refused with <paramref name="detail"/>, and changes nothing.</summary>
    private async Task AssertConsentsRefuseTheWholePatchAsync(string detail, params Consent[] consents)
    {
        var id = NewCustomerId();
        await Customers.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = id, GivenName = "Kept" });
        var patch = new UpsertProfileRequest { CustomerId = id, GivenName = "Changed", Consents = { consents } };

        var ex = await Assert.ThrowsAsync<RpcException>(() => Customers.UpsertProfileAsync(patch).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(detail, ex.Status.Detail);
        var view = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal(("Kept", 1L, 0), (view.Profile.GivenName, view.Version, view.Profile.Consents.Count));
    }

    [Theory]
    [MemberData(nameof(BadProfilePatches))]
    public async Task BadProfilePatchIsRefusedWholeNamingTheField(string problem, string field)
    {
        var id = NewCustomerId();
        await Customers.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = id, GivenName = "Kept", SetAttributes = { ["k"] = "kept" } });
        var patch = new UpsertProfileRequest { CustomerId = id, FamilyName = "Changed" };
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        switch (problem)
        {
            case "empty-key-to-remove": patch.RemoveAttributes.Add(""); break;
            case "key-to-remove-with-control-character": patch.RemoveAttributes.Add("k\u0000"); break;
            case "key-to-remove-too-long": patch.RemoveAttributes.Add(new string('k', 10_000)); break;
            case "too-many-keys-to-remove": patch.RemoveAttributes.Add(Enumerable.Range(0, 50_000).Select(i => $"k{i}")); break;
            case "key-set-and-removed": patch.SetAttributes["k"] = "v"; patch.RemoveAttributes.Add("k"); break;
            case "two-consents-for-one-channel":
                patch.Consents.Add(new Consent { Channel = MarketingChannel.Email, Granted = true, UpdatedAt = now });
                patch.Consents.Add(new Consent { Channel = MarketingChannel.Email, Granted = false, UpdatedAt = now });
                break;
            case "given-name-of-only-white-space": patch.GivenName = "   "; break;
            case "phone-number-twice": patch.PhoneNumbers = new StringList { Values = { "+49 30 1234", "+49 30 1234" } }; break;
            case "attribute-value-with-nul": patch.SetAttributes["note"] = "a\u0000b"; break;
            default: throw new ArgumentOutOfRangeException(nameof(problem), problem, null);
        }

        var ex = await Assert.ThrowsAsync<RpcException>(() => Customers.UpsertProfileAsync(patch).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith(field + ":", ex.Status.Detail);
        var view = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal((1L, "Kept", "", "kept"), (view.Version, view.Profile.GivenName, view.Profile.FamilyName, view.Profile.Attributes["k"]));
    }

    [Fact]
    public async Task AnAttributeValueMayHoldLineBreaksAndTabs()
    {
        var id = NewCustomerId();
        var visit = Contact(id, TouchpointKind.Visit, Channel.Web);
        visit.Attributes["note"] = "asked about sizes\r\n\tcall back Monday";

        await Customers.RecordTouchpointAsync(Record(visit));
        await Customers.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = id, SetAttributes = { ["note"] = "line one\nline two" } });
        var view = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        Assert.Equal("line one\nline two", view.Profile.Attributes["note"]);
        Assert.Equal("asked about sizes\r\n\tcall back Monday", Assert.Single(view.RecentTouchpoints).Attributes["note"]);
    }

    [Fact]
    public async Task AMissingEventTimeIsRequiredAndAnEarlyOneIsNamedForWhatItIs()
    {
        var id = NewCustomerId();
        var missing = Purchase(id, 10m);
        missing.OccurredAt = null;
        var yearOne = Purchase(id, 10m);
        yearOne.OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.MinValue);

        var missingError = await Assert.ThrowsAsync<RpcException>(() => Customers.RecordTouchpointAsync(Record(missing)).ResponseAsync);
        var yearOneError = await Assert.ThrowsAsync<RpcException>(() => Customers.RecordTouchpointAsync(Record(yearOne)).ResponseAsync);

        Assert.Equal("touchpoint.occurred_at: is required", missingError.Status.Detail);
        Assert.Equal("touchpoint.occurred_at: must be after 1970-01-01T00:00:00Z; got 0001-01-01T00:00:00Z", yearOneError.Status.Detail);
        await AssertNothingAppliedAsync(id);
    }

    [Fact]
    public Task AConsentWithoutADateRefusesTheWholePatch() =>
        AssertConsentsRefuseTheWholePatchAsync(
            "consents[1].updated_at: is required",
            new Consent { Channel = MarketingChannel.Email, Granted = true, UpdatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) },
            new Consent { Channel = MarketingChannel.Sms, Granted = true });

    [Fact]
    public async Task AConsentDatedAtTheUnixEpochRefusesTheWholePatch()
    {
        var id = NewCustomerId();
        var patch = new UpsertProfileRequest
        {
            CustomerId = id,
            Consents = { new Consent { Channel = MarketingChannel.Post, Granted = false, UpdatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch) } },
        };

        var ex = await Assert.ThrowsAsync<RpcException>(() => Customers.UpsertProfileAsync(patch).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal("consents[0].updated_at: must be after 1970-01-01T00:00:00Z; got 1970-01-01T00:00:00Z", ex.Status.Detail);
        await AssertNothingAppliedAsync(id);
    }

    [Theory]
    [InlineData(-1, "page_size")]
    [InlineData(501, "page_size")]
    public async Task BadPageSizeIsRejected(int pageSize, string field)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            Customers.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = NewCustomerId(), PageSize = pageSize }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith(field + ":", ex.Status.Detail);
    }

    [Fact]
    public async Task AFilterValueGivenTwiceIsRefusedNamingTheRepeat()
    {
        var id = NewCustomerId();
        var channels = new ListTouchpointsRequest { CustomerId = id, Channels = { Channel.Web, Channel.Email, Channel.Web } };
        var kinds = new ListTouchpointsRequest { CustomerId = id, Kinds = { TouchpointKind.Visit, TouchpointKind.Visit } };

        var channelError = await Assert.ThrowsAsync<RpcException>(() => Customers.ListTouchpointsAsync(channels).ResponseAsync);
        var kindError = await Assert.ThrowsAsync<RpcException>(() => Customers.ListTouchpointsAsync(kinds).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, "channels[2]: repeats channels[0]; give each value once"), (channelError.StatusCode, channelError.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, "kinds[1]: repeats kinds[0]; give each value once"), (kindError.StatusCode, kindError.Status.Detail));
    }

    [Fact]
    public async Task AFilterOfHundredsOfThousandsOfRepeatsIsRefused()
    {
        var id = NewCustomerId();
        await Customers.RecordTouchpointAsync(Record(Contact(id, TouchpointKind.Visit, Channel.Web)));
        var huge = new ListTouchpointsRequest { CustomerId = id };
        huge.Channels.Add(Enumerable.Repeat(Channel.Email, 900_000));

        var ex = await Assert.ThrowsAsync<RpcException>(() => Customers.ListTouchpointsAsync(huge).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("channels[1]: repeats channels[0]", ex.Status.Detail);
    }

    [Fact]
    public async Task EveryValueOfAFilterOnceIsAccepted()
    {
        var id = NewCustomerId();
        await Customers.RecordTouchpointAsync(Record(Contact(id, TouchpointKind.Visit, Channel.Web)));
        var all = new ListTouchpointsRequest { CustomerId = id };
        all.Channels.Add(System.Enum.GetValues<Channel>().Where(c => c != Channel.Unspecified));
        all.Kinds.Add(System.Enum.GetValues<TouchpointKind>().Where(k => k != TouchpointKind.Unspecified));

        var page = await Customers.ListTouchpointsAsync(all);

        Assert.Single(page.Touchpoints);
    }

    [Fact]
    public async Task ForgedPageTokenIsRejected()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            Customers.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = NewCustomerId(), PageToken = "not-a-token" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("page_token:", ex.Status.Detail);
    }

    [Fact]
    public async Task OversizedMessageIsRefusedWithResourceExhausted()
    {
        var id = NewCustomerId();
        var huge = Purchase(id, 10m);
        huge.SourceSystem = new string('x', 2 * 1024 * 1024);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Customers.RecordTouchpointAsync(Record(huge)).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.StartsWith("request: the message is ", ex.Status.Detail);
        await AssertNothingAppliedAsync(id);
    }

    [Fact]
    public async Task UnknownSegmentIsNotFoundAndEmptyIdIsInvalid()
    {
        var unknown = await Assert.ThrowsAsync<RpcException>(() => fixture.Server.Segments.GetSegmentAsync(new GetSegmentRequest { SegmentId = "tier:diamond" }).ResponseAsync);
        var empty = await Assert.ThrowsAsync<RpcException>(() => fixture.Server.Segments.GetSegmentAsync(new GetSegmentRequest()).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.StartsWith("segment_id: no segment 'tier:diamond'; segments are ", unknown.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.StartsWith("segment_id:", empty.Status.Detail);
    }

    [Fact]
    public async Task ALongUnknownSegmentIdIsNotEchoedWhole()
    {
        var id = "tier:" + new string('x', 10_000);

        var unknown = await Assert.ThrowsAsync<RpcException>(() => fixture.Server.Segments.GetSegmentAsync(new GetSegmentRequest { SegmentId = id }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.StartsWith($"segment_id: no segment '{id[..64]}...'; segments are ", unknown.Status.Detail);
        Assert.True(unknown.Status.Detail.Length < 2_000, $"{unknown.Status.Detail.Length} characters of detail");
    }

    private async Task AssertNothingAppliedAsync(string customerId)
    {
        if (customerId.Length == 0)
        {
            return;
        }

        var ex = await Assert.ThrowsAsync<RpcException>(() => Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = customerId }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    private static Touchpoint Break(Touchpoint t, string problem)
    {
        switch (problem)
        {
            case "empty-customer-id": t.CustomerId = ""; break;
            case "long-customer-id": t.CustomerId = new string('c', 129); break;
            case "control-char-customer-id": t.CustomerId = "abc\u0001"; break;
            case "empty-event-id": t.EventId = ""; break;
            case "missing-occurred-at": t.OccurredAt = null; break;
            case "future-occurred-at": t.OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(25)); break;
            case "year-one-occurred-at": t.OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(1, 1, 1, 0, 0, 1, TimeSpan.Zero)); break;
            case "year-1900-occurred-at": t.OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(1900, 1, 1, 0, 0, 0, TimeSpan.Zero)); break;
            case "unix-epoch-occurred-at": t.OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch); break;
            case "purchase-without-amount": t.Amount = null; break;
            case "return-without-amount": t.Kind = TouchpointKind.Return; t.Amount = null; break;
            case "purchase-without-currency": t.Amount.CurrencyCode = ""; break;
            case "negative-amount": t.Amount.Amount = "-1.00"; break;
            case "unparseable-amount": t.Amount.Amount = "ten"; break;
            case "amount-with-plus-sign": t.Amount.Amount = "+10"; break;
            case "amount-with-minus-zero": t.Amount.Amount = "-0"; break;
            case "amount-without-whole-digits": t.Amount.Amount = ".5"; break;
            case "amount-ending-in-point": t.Amount.Amount = "5."; break;
            case "amount-with-leading-zeros": t.Amount.Amount = "0010"; break;
            case "unit-price-with-leading-zeros":
                t.LineItems.Add(new LineItem { Sku = "sku", Quantity = 1, UnitPrice = new Money { Amount = "010.00", CurrencyCode = "EUR" } });
                break;
            case "unknown-currency": t.Amount.CurrencyCode = "XYZ"; break;
            case "unspecified-channel": t.Channel = Channel.Unspecified; break;
            case "unspecified-kind": t.Kind = TouchpointKind.Unspecified; break;
            case "too-many-line-items":
                for (var i = 0; i < 101; i++)
                {
                    t.LineItems.Add(new LineItem { Sku = $"sku-{i}", Quantity = 1 });
                }

                break;
            case "too-many-attributes":
                for (var i = 0; i < 33; i++)
                {
                    t.Attributes[$"k{i}"] = "v";
                }

                break;
            case "bad-line-item": t.LineItems.Add(new LineItem { Sku = "sku", Quantity = 0 }); break;
            case "sku-with-terminal-escape": t.LineItems.Add(new LineItem { Sku = "sku\u001b[2J", Quantity = 1 }); break;
            case "sku-of-only-white-space": t.LineItems.Add(new LineItem { Sku = "   ", Quantity = 1 }); break;
            case "category-with-line-break": t.LineItems.Add(new LineItem { Sku = "sku", Category = "shoes\r\nInjected: 1", Quantity = 1 }); break;
            case "source-system-with-bell": t.SourceSystem = "till-1\u0007"; break;
            case "attribute-key-of-only-white-space": t.Attributes[" "] = "x"; break;
            case "attribute-value-with-nul": t.Attributes["note"] = "a\u0000b"; break;
            default: throw new ArgumentOutOfRangeException(nameof(problem), problem, null);
        }

        return t;
    }
}

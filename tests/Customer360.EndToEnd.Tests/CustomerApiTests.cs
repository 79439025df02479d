using Customer360.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using static Customer360.EndToEnd.Tests.Touchpoints;

namespace Customer360.EndToEnd.Tests;

[Collection(ServerCollection.Name)]
public sealed class CustomerApiTests(ServerFixture fixture)
{
    private CustomerService.CustomerServiceClient Customers => fixture.Server.Customers;

    /// <summary>UpsertProfile, with what its trailer says about whether the profile changed.</summary>
    private async Task<(CustomerView View, string? Changed)> UpsertAsync(UpsertProfileRequest request)
    {
        using var call = Customers.UpsertProfileAsync(request);
        var view = await call.ResponseAsync;
        return (view, call.GetTrailers().GetValue("c360-profile-changed"));
    }

    [Fact]
    public async Task RecordedTouchpointIsInTheNextRead()
    {
        var id = NewCustomerId();
        var ack = await Customers.RecordTouchpointAsync(Record(Purchase(id, 120.50m)));

        Assert.Equal(AckStatus.Accepted, ack.Status);
        Assert.Equal(1, ack.CustomerVersion);
        var view = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal(id, view.CustomerId);
        Assert.Equal(1, view.Version);
        Assert.Equal("120.50", view.Aggregates.NetSpend.Amount);
        Assert.Equal("EUR", view.Aggregates.NetSpend.CurrencyCode);
        Assert.Equal(1, view.Aggregates.OrderCount);
        Assert.Equal(Channel.PointOfSale, view.Aggregates.PreferredChannel);
        Assert.Single(view.RecentTouchpoints);
        Assert.Equal("120.50", view.Value.Score.Amount);
        Assert.Equal(ValueTier.Bronze, view.Value.Tier);
        Assert.Equal(["tier:bronze", "channel:point_of_sale"], view.Segments);
    }

    [Fact]
    public async Task TheViewShowsWhatTheValueModelReads()
    {
        var id = NewCustomerId();
        var today = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        DateTimeOffset Day(int daysAgo) => today.AddDays(-daysAgo).AddHours(12);

        await Customers.RecordTouchpointAsync(Record(Contact(id, TouchpointKind.Visit, Channel.Web, Day(40))));
        Assert.Null((await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id })).Value.Inputs);

        // Occasions: 28 days ago (the first), 14 days ago (two purchases, one occasion worth
        // 50) and 7 days ago (80, less a same-day return of 30).
        await Customers.RecordTouchpointAsync(Record(Purchase(id, 100m, Day(28))));
        await Customers.RecordTouchpointAsync(Record(Purchase(id, 30m, Day(14))));
        await Customers.RecordTouchpointAsync(Record(Purchase(id, 20m, Day(14).AddHours(3))));
        await Customers.RecordTouchpointAsync(Record(Purchase(id, 80m, Day(7))));
        var giveBack = Purchase(id, 30m, Day(7).AddHours(1));
        giveBack.Kind = TouchpointKind.Return;
        await Customers.RecordTouchpointAsync(Record(giveBack));

        var inputs = (await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id })).Value.Inputs;
        Assert.Equal(2, inputs.RepeatPurchases);
        Assert.Equal(3.0, inputs.WeeksToLastRepeat, 9);

        // Four weeks, unless the day turned over during the test.
        Assert.Contains(inputs.WeeksSinceFirstPurchase, new[] { 4.0, 29.0 / 7 });
        Assert.Equal("50.00", inputs.MeanRepeatValue.Amount);
        Assert.Equal("EUR", inputs.MeanRepeatValue.CurrencyCode);
    }

    [Fact]
    public async Task RetriedEventIdIsCountedOnce()
    {
        var id = NewCustomerId();
        var touchpoint = Purchase(id, 10m);

        var first = await Customers.RecordTouchpointAsync(Record(touchpoint));
        var retry = await Customers.RecordTouchpointAsync(Record(touchpoint));

        Assert.Equal(AckStatus.Accepted, first.Status);
        Assert.Equal(AckStatus.Duplicate, retry.Status);
        Assert.Equal(first.CustomerVersion, retry.CustomerVersion);
        var view = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal(1, view.Aggregates.OrderCount);
        Assert.Equal("10.00", view.Aggregates.NetSpend.Amount);
    }

    [Fact]
    public async Task UnknownCustomerIsNotFound()
    {
        var id = NewCustomerId();
        var get = await Assert.ThrowsAsync<RpcException>(() => Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id }).ResponseAsync);
        var list = await Assert.ThrowsAsync<RpcException>(() => Customers.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = id }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, get.StatusCode);
        Assert.Equal(StatusCode.NotFound, list.StatusCode);
        Assert.Contains(id, get.Status.Detail);
    }

    [Fact]
    public async Task UpsertProfileCreatesAndThenUpdatesOnlyGivenFields()
    {
        var id = NewCustomerId();
        var created = await Customers.UpsertProfileAsync(new UpsertProfileRequest
        {
            CustomerId = id,
            GivenName = "Ada",
            FamilyName = "Lovelace",
            Emails = new StringList { Values = { "ada@example.org" } },
            SetAttributes = { ["segment_hint"] = "vip" },
            Consents = { new Consent { Channel = MarketingChannel.Email, Granted = true, UpdatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow) } },
        });
        var updated = await Customers.UpsertProfileAsync(new UpsertProfileRequest
        {
            CustomerId = id,
            FamilyName = "King",
            PhoneNumbers = new StringList { Values = { "+44 20 7946 0000" } },
            RemoveAttributes = { "segment_hint" },
        });

        Assert.Equal(1, created.Version);
        Assert.Equal(2, updated.Version);
        Assert.Equal("Ada", updated.Profile.GivenName);
        Assert.Equal("King", updated.Profile.FamilyName);
        Assert.Equal(["ada@example.org"], updated.Profile.Emails);
        Assert.Equal(["+44 20 7946 0000"], updated.Profile.PhoneNumbers);
        Assert.Empty(updated.Profile.Attributes);
        Assert.True(Assert.Single(updated.Profile.Consents).Granted);
        Assert.Equal(["tier:bronze", "channel:none"], updated.Segments);
    }

    [Fact]
    public async Task AnAddressWithEveryPartEmptyClearsTheStoredAddress()
    {
        var id = NewCustomerId();
        var moved = await Customers.UpsertProfileAsync(new UpsertProfileRequest
        {
            CustomerId = id,
            GivenName = "Ada",
            Address = new PostalAddress { Lines = { "12 St James's Square" }, Locality = "London", PostalCode = "SW1Y 4JH", CountryCode = "GB" },
        });

        var (cleared, clearedSays) = await UpsertAsync(new UpsertProfileRequest { CustomerId = id, Address = new PostalAddress() });
        var (again, againSays) = await UpsertAsync(new UpsertProfileRequest { CustomerId = id, Address = new PostalAddress() });
        var read = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });

        Assert.Equal("London", moved.Profile.Address.Locality);
        Assert.Null(cleared.Profile.Address);
        Assert.Equal(moved.Version + 1, cleared.Version);
        Assert.Equal("true", clearedSays);
        Assert.Equal("false", againSays);
        Assert.Equal(cleared.Version, again.Version);
        Assert.Null(read.Profile.Address);
        Assert.Equal("Ada", read.Profile.GivenName);
    }

    [Fact]
    public async Task UpsertingTheSameProfileAgainChangesNothing()
    {
        var id = NewCustomerId();
        UpsertProfileRequest Profile() => new()
        {
            CustomerId = id,
            GivenName = "Ada",
            FamilyName = "Lovelace",
            Emails = new StringList { Values = { "ada@example.org" } },
            SetAttributes = { ["lang"] = "en" },
            Consents = { new Consent { Channel = MarketingChannel.Email, Granted = true, UpdatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 3, 9, 23, 42, 0, TimeSpan.Zero)) } },
        };

        var (created, createdSays) = await UpsertAsync(Profile());
        var (again, againSays) = await UpsertAsync(Profile());
        var (changed, changedSays) = await UpsertAsync(new UpsertProfileRequest { CustomerId = id, FamilyName = "King" });

        Assert.Equal(1, created.Version);
        Assert.Equal(created, again);
        Assert.Equal(2, changed.Version);
        Assert.Equal(("true", "false", "true"), (createdSays, againSays, changedSays));
        Assert.Equal(2, (await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id })).Version);
    }

    [Fact]
    public async Task ListTouchpointsPagesNewestFirstWithFilters()
    {
        var id = NewCustomerId();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 12; i++)
        {
            var at = start.AddDays(i);
            var t = i % 3 == 0 ? Contact(id, TouchpointKind.Call, Channel.CallCentre, at) : Purchase(id, 5m + i, at, Channel.Web);
            await Customers.RecordTouchpointAsync(Record(t));
        }

        var seen = new List<Touchpoint>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await Customers.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = id, PageSize = 5, PageToken = token });
            Assert.True(page.Touchpoints.Count <= 5);
            seen.AddRange(page.Touchpoints);
            token = page.NextPageToken;
            pages++;
        }
        while (token != "");

        Assert.Equal(3, pages);
        Assert.Equal(12, seen.Select(t => t.EventId).Distinct().Count());
        Assert.Equal(seen.OrderByDescending(t => t.OccurredAt.ToDateTimeOffset()).Select(t => t.EventId), seen.Select(t => t.EventId));

        var calls = await Customers.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = id, Channels = { Channel.CallCentre } });
        Assert.Equal(4, calls.Touchpoints.Count);
        Assert.All(calls.Touchpoints, t => Assert.Equal(TouchpointKind.Call, t.Kind));

        var window = await Customers.ListTouchpointsAsync(new ListTouchpointsRequest
        {
            CustomerId = id,
            Kinds = { TouchpointKind.Purchase },
            OccurredFrom = Timestamp.FromDateTimeOffset(start.AddDays(4)),
            OccurredTo = Timestamp.FromDateTimeOffset(start.AddDays(8)),
        });
        Assert.Equal([start.AddDays(7), start.AddDays(5), start.AddDays(4)], window.Touchpoints.Select(t => t.OccurredAt.ToDateTimeOffset()));
    }

    [Fact]
    public async Task APageTokenServesOnlyTheQueryItWasGivenFor()
    {
        var id = NewCustomerId();
        var other = NewCustomerId();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 6; i++)
        {
            await Customers.RecordTouchpointAsync(Record(Purchase(id, 5m + i, start.AddDays(i), Channel.Web)));
            await Customers.RecordTouchpointAsync(Record(Purchase(other, 5m + i, start.AddDays(i), Channel.Web)));
        }

        var query = new ListTouchpointsRequest { CustomerId = id, PageSize = 2, Channels = { Channel.Web, Channel.PointOfSale }, Kinds = { TouchpointKind.Purchase } };
        var first = await Customers.ListTouchpointsAsync(query);
        Assert.NotEqual("", first.NextPageToken);

        // The same query goes on, with its filters in another order and another page size.
        var next = await Customers.ListTouchpointsAsync(new ListTouchpointsRequest
        {
            CustomerId = id, PageSize = 10, PageToken = first.NextPageToken,
            Channels = { Channel.PointOfSale, Channel.Web }, Kinds = { TouchpointKind.Purchase },
        });
        Assert.Equal(4, next.Touchpoints.Count);
        Assert.Empty(next.Touchpoints.Select(t => t.EventId).Intersect(first.Touchpoints.Select(t => t.EventId)));

        // Another customer, or other filters, with the same token: refused, naming the token.
        ListTouchpointsRequest[] others =
        [
            new() { CustomerId = other, PageSize = 2, PageToken = first.NextPageToken, Channels = { Channel.Web, Channel.PointOfSale }, Kinds = { TouchpointKind.Purchase } },
            new() { CustomerId = id, PageSize = 2, PageToken = first.NextPageToken, Channels = { Channel.Web }, Kinds = { TouchpointKind.Purchase } },
            new() { CustomerId = id, PageSize = 2, PageToken = first.NextPageToken, Channels = { Channel.Web, Channel.PointOfSale } },
            new() { CustomerId = id, PageSize = 2, PageToken = first.NextPageToken, Channels = { Channel.Web, Channel.PointOfSale }, Kinds = { TouchpointKind.Purchase }, OccurredFrom = Timestamp.FromDateTimeOffset(start) },
        ];
        foreach (var request in others)
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => Customers.ListTouchpointsAsync(request).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.StartsWith("page_token: was given for another customer or other filters", refused.Status.Detail);
        }
    }

    [Fact]
    public async Task APageTokenOfTheFirstFormIsStillTaken()
    {
        // Servers before the query digest issued "v1|ticks|event id"; a client holding one across
        // an upgrade goes on from its position.
        var id = NewCustomerId();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 3; i++)
        {
            await Customers.RecordTouchpointAsync(Record(Purchase(id, 5m + i, start.AddDays(i), Channel.Web)));
        }

        var all = await Customers.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = id });
        var newest = all.Touchpoints[0];
        var token = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(
            $"v1|{newest.OccurredAt.ToDateTimeOffset().UtcTicks}|{newest.EventId}"));

        var rest = await Customers.ListTouchpointsAsync(new ListTouchpointsRequest { CustomerId = id, PageToken = token });

        Assert.Equal(all.Touchpoints.Skip(1).Select(t => t.EventId), rest.Touchpoints.Select(t => t.EventId));
    }

    [Fact]
    public async Task StreamAcksEveryTouchpointInOrderAndSurvivesABadOne()
    {
        var id = NewCustomerId();
        var good1 = Purchase(id, 10m);
        var bad = Purchase(id, 10m);
        bad.Amount = null;
        var good2 = Contact(id, TouchpointKind.Visit, Channel.Web);

        using var call = Customers.StreamTouchpoints();
        foreach (var t in new[] { good1, bad, good2, good1 })
        {
            await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = t });
        }

        await call.RequestStream.CompleteAsync();
        var acks = new List<TouchpointAck>();
        await foreach (var ack in call.ResponseStream.ReadAllAsync())
        {
            acks.Add(ack);
        }

        Assert.Equal([good1.EventId, bad.EventId, good2.EventId, good1.EventId], acks.Select(a => a.EventId));
        Assert.Equal([AckStatus.Accepted, AckStatus.Rejected, AckStatus.Accepted, AckStatus.Duplicate], acks.Select(a => a.Status));
        Assert.Equal([0L, 1, 2, 3], acks.Select(a => a.Sequence));
        Assert.Equal("touchpoint.amount", acks[1].Field);
        Assert.Equal((int)StatusCode.InvalidArgument, acks[1].Code);
        var view = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal(2, view.Aggregates.TouchpointCount);
    }

    [Fact]
    public async Task StreamOfManyTouchpointsIsAllAcknowledgedAndApplied()
    {
        var ids = Enumerable.Range(0, 20).Select(_ => NewCustomerId("bulk")).ToArray();
        var sent = Enumerable.Range(0, 1000).Select(i => Purchase(ids[i % ids.Length], 1m + (i % 7))).ToArray();

        using var call = Customers.StreamTouchpoints();
        var reader = Task.Run(async () =>
        {
            var acks = new List<TouchpointAck>();
            await foreach (var ack in call.ResponseStream.ReadAllAsync())
            {
                acks.Add(ack);
            }

            return acks;
        });
        foreach (var t in sent)
        {
            await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = t });
        }

        await call.RequestStream.CompleteAsync();
        var acks = await reader;

        Assert.Equal(sent.Select(t => t.EventId), acks.Select(a => a.EventId));
        Assert.All(acks, a => Assert.Equal(AckStatus.Accepted, a.Status));
        foreach (var id in ids)
        {
            var view = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
            var expected = sent.Where(t => t.CustomerId == id).Sum(t => decimal.Parse(t.Amount.Amount, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(expected, decimal.Parse(view.Aggregates.NetSpend.Amount, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(50, view.Aggregates.OrderCount);
        }
    }

    [Fact]
    public async Task BatchedMessagesAreAppliedTouchpointByTouchpointInStreamOrder()
    {
        var ids = Enumerable.Range(0, 10).Select(_ => NewCustomerId("batch")).ToArray();
        var fresh = Enumerable.Range(0, 600).Select(i => Purchase(ids[i % ids.Length], 1m + (i % 5))).ToArray();

        // Messages of 60 (more than the server applies at once), each ending with a repeat of
        // its own first touchpoint: the repeat comes after it on the same customer, so it is
        // the one answered DUPLICATE.
        var sent = new List<Touchpoint>();
        using var call = Customers.StreamTouchpoints();
        var reader = Task.Run(async () => await call.ResponseStream.ReadAllAsync().ToListAsync());
        foreach (var chunk in fresh.Chunk(60))
        {
            var message = new StreamTouchpointsRequest();
            message.Touchpoints.Add(chunk);
            message.Touchpoints.Add(chunk[0]);
            sent.AddRange(message.Touchpoints);
            await call.RequestStream.WriteAsync(message);
        }

        await call.RequestStream.CompleteAsync();
        var acks = await reader;

        Assert.Equal(sent.Select(t => t.EventId), acks.Select(a => a.EventId));
        Assert.Equal(Enumerable.Range(0, sent.Count).Select(i => (long)i), acks.Select(a => a.Sequence));
        Assert.Equal(10, acks.Count(a => a.Status == AckStatus.Duplicate));
        Assert.Equal(600, acks.Count(a => a.Status == AckStatus.Accepted));

        // Each customer's touchpoints were applied in the order they were sent.
        foreach (var id in ids)
        {
            var versions = acks.Where((a, i) => sent[i].CustomerId == id && a.Status == AckStatus.Accepted).Select(a => a.CustomerVersion).ToArray();
            Assert.Equal(Enumerable.Range(1, 60).Select(v => (long)v), versions);
            var view = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
            var expected = fresh.Where(t => t.CustomerId == id).Sum(t => decimal.Parse(t.Amount.Amount, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(expected, decimal.Parse(view.Aggregates.NetSpend.Amount, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(60, view.Aggregates.TouchpointCount);
        }
    }

    [Fact]
    public async Task CancellingAStreamEndsItWithCancelled()
    {
        var id = NewCustomerId();
        using var cts = new CancellationTokenSource();
        using var call = Customers.StreamTouchpoints(cancellationToken: cts.Token);
        await call.RequestStream.WriteAsync(new StreamTouchpointsRequest { Touchpoint = Purchase(id, 3m) });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(AckStatus.Accepted, call.ResponseStream.Current.Status);

        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        var view = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        Assert.Equal(1, view.Aggregates.TouchpointCount);
    }

    [Fact]
    public async Task WatchCustomerSendsCurrentViewThenEachChange()
    {
        var id = NewCustomerId();
        await Customers.RecordTouchpointAsync(Record(Purchase(id, 10m)));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = id }, cancellationToken: cts.Token);

        Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
        Assert.Equal(1, watch.ResponseStream.Current.Version);

        await Customers.RecordTouchpointAsync(Record(Purchase(id, 5000m)));
        Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
        var changed = watch.ResponseStream.Current;
        Assert.Equal(2, changed.Version);
        Assert.Equal("5010.00", changed.Aggregates.NetSpend.Amount);
        Assert.Equal(ValueTier.Platinum, changed.Value.Tier);

        await Customers.UpsertProfileAsync(new UpsertProfileRequest { CustomerId = id, GivenName = "Grace" });
        Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
        Assert.Equal("Grace", watch.ResponseStream.Current.Profile.GivenName);
        Assert.Equal(3, watch.ResponseStream.Current.Version);
    }

    [Fact]
    public async Task WatchingAnUnknownCustomerIsNotFound()
    {
        using var watch = Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = NewCustomerId() });
        var ex = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task AViewCarriesAsManyRecentTouchpointsAsAskedAndTheSameEverythingElse()
    {
        var id = NewCustomerId();
        for (var i = 1; i <= 3; i++)
        {
            await Customers.RecordTouchpointAsync(Record(Purchase(id, 10m * i, DateTimeOffset.UtcNow.AddHours(-i), eventId: $"order-{i}")));
        }

        var full = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id });
        var two = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id, RecentTouchpoints = 2 });
        var none = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id, RecentTouchpoints = 0 });
        var more = await Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id, RecentTouchpoints = 1000 });

        Assert.Equal(["order-1", "order-2", "order-3"], full.RecentTouchpoints.Select(t => t.EventId));
        Assert.Equal(["order-1", "order-2"], two.RecentTouchpoints.Select(t => t.EventId));
        Assert.Empty(none.RecentTouchpoints);
        Assert.Equal(full, more);

        // Apart from the history, the same view.
        none.RecentTouchpoints.Add(full.RecentTouchpoints);
        Assert.Equal(full, none);
    }

    [Fact]
    public async Task ANegativeNumberOfRecentTouchpointsIsRefusedNamingTheField()
    {
        var id = NewCustomerId();
        await Customers.RecordTouchpointAsync(Record(Purchase(id, 10m)));

        var get = await Assert.ThrowsAsync<RpcException>(() => Customers.GetCustomerAsync(new GetCustomerRequest { CustomerId = id, RecentTouchpoints = -1 }).ResponseAsync);
        using var watch = Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = id, RecentTouchpoints = -1 });
        var watched = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal((StatusCode.InvalidArgument, StatusCode.InvalidArgument), (get.StatusCode, watched.StatusCode));
        Assert.StartsWith("recent_touchpoints: ", get.Status.Detail);
        Assert.StartsWith("recent_touchpoints: ", watched.Status.Detail);
    }

    [Fact]
    public async Task AWatchWithoutHistorySendsEachChangeWithoutIt()
    {
        var id = NewCustomerId();
        await Customers.RecordTouchpointAsync(Record(Purchase(id, 10m)));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var watch = Customers.WatchCustomer(new WatchCustomerRequest { CustomerId = id, RecentTouchpoints = 0 }, cancellationToken: cts.Token);

        Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
        Assert.Equal(1, watch.ResponseStream.Current.Version);
        Assert.Empty(watch.ResponseStream.Current.RecentTouchpoints);

        await Customers.RecordTouchpointAsync(Record(Purchase(id, 20m)));
        Assert.True(await watch.ResponseStream.MoveNext(cts.Token));
        Assert.Equal(2, watch.ResponseStream.Current.Version);
        Assert.Equal("30.00", watch.ResponseStream.Current.Aggregates.NetSpend.Amount);
        Assert.Empty(watch.ResponseStream.Current.RecentTouchpoints);
    }
}

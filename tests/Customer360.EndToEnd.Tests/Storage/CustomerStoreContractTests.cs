using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using Customer360.Domain.Validation;
using Customer360.Domain.Values;
using Customer360.Grains.Storage;
using Customer360.Server.Hosting;
using Customer360.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>
/// What every customer store promises the customer grain, checked on a real SQLite file, a
/// real PostgreSQL server, and the in-memory store the test clusters use.
/// </summary>
public sealed class CustomerStoreContractTests
{
    public const string Memory = "memory";

    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>For tests that read snapshots back: batches commit in the order they were formed.</summary>
    private static readonly GroupCommitOptions OneCommitAtATime = new() { MaxConcurrentCommits = 1 };

    private static async Task<(ICustomerStore Store, IAsyncDisposable Lifetime)> OpenAsync(string kind, string? serviceId = null, GroupCommitOptions? options = null)
    {
        serviceId ??= "store-" + Guid.NewGuid().ToString("N");
        options ??= new GroupCommitOptions();
        switch (kind)
        {
            case TestStores.Sqlite:
                var connectionString = EmbeddedDatabase.Create();
                var sqlite = EmbeddedDatabase.CustomerStore(connectionString, serviceId, options);
                return (sqlite, sqlite);
            case TestStores.Postgres:
                var settings = await TestStores.SettingsAsync(TestStores.Postgres, serviceId);
                var postgres = new PostgresCustomerStore(settings["Customer360:Storage:ConnectionString"]!, serviceId, options, NullLogger<PostgresCustomerStore>.Instance);
                return (postgres, postgres);
            default:
                return (MemoryCustomerStore.ForService(serviceId), new Nothing());
        }
    }

    private sealed class Nothing : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static Touchpoint Visit(string customerId, string eventId, DateTimeOffset occurredAt, Channel channel = Channel.Web) => new()
    {
        EventId = eventId,
        CustomerId = customerId,
        OccurredAt = occurredAt,
        Channel = channel,
        Kind = TouchpointKind.Visit,
        Attributes = new Dictionary<string, string> { ["page"] = "/shoes" },
    };

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task AnEntryIsStoredOnceAndReadBackAsWritten(string kind)
    {
        var (store, lifetime) = await OpenAsync(kind);
        await using var _ = lifetime;
        var touchpoint = Visit("c1", "e1", At) with
        {
            Amount = null,
            LineItems = [new LineItem("sku-1", "shoes", 2, new Money(19.99m, "EUR"))],
            SourceSystem = "web",
        };
        var patch = new ProfilePatch { GivenName = "Ada", SetAttributes = new Dictionary<string, string> { ["vip"] = "yes" } };

        Assert.True(await store.AppendAsync(CustomerLogEntry.For(touchpoint, 1, At.AddSeconds(1))));
        Assert.True(await store.AppendAsync(CustomerLogEntry.For("c1", patch, 2, At.AddSeconds(2))));

        // The same position again, or the same event id at a new position, is refused.
        Assert.False(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", "e2", At), 2, At)));
        Assert.False(await store.AppendAsync(CustomerLogEntry.For(touchpoint, 3, At)));

        // Another customer may use the same event id.
        Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c2", "e1", At), 1, At)));

        var entries = await store.ReadEntriesAsync("c1", 0);
        Assert.Equal([1L, 2L], entries.Select(e => e.Sequence));
        var first = entries[0];
        Assert.Equal(At.AddSeconds(1), first.RecordedAt);
        Assert.Equal(TouchpointFingerprint.Of(touchpoint), first.Fingerprint);
        Assert.Equal(TouchpointFingerprint.Of(touchpoint), TouchpointFingerprint.Of(first.Touchpoint!));
        Assert.Equal(At, first.Touchpoint!.OccurredAt);
        Assert.Equal("Ada", entries[1].Profile!.GivenName);
        Assert.Equal("yes", entries[1].Profile!.SetAttributes["vip"]);
        Assert.Equal([2L], (await store.ReadEntriesAsync("c1", 1)).Select(e => e.Sequence));

        Assert.Equal(new LoggedEvent(1, TouchpointFingerprint.Of(touchpoint)), await store.FindEventAsync("c1", "e1"));
        Assert.Null(await store.FindEventAsync("c1", "e2"));
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task TheLongestIdsTheLimitsAllowAreStoredWithoutFailingTheirBatch(string kind)
    {
        // Characters that take three bytes each in UTF-8, the most one UTF-16 unit can, and that
        // do not repeat, so that PostgreSQL cannot compress them: the indexes hold the ids as
        // UTF-8, and PostgreSQL refuses an index entry of more than about 2,700 bytes, which would
        // fail the whole batch with every other customer in it.
        // The service id, at its own longest, is part of the customers' key beside the customer id.
        var random = new Random(512);
        var longest = string.Concat(Enumerable.Range(0, InputLimits.LongestIdLimit).Select(_ => (char)random.Next(0x4E00, 0x9FFF)));
        var service = string.Concat(Enumerable.Range(0, SiloOptions.MaxIdLength).Select(_ => (char)Random.Shared.Next(0x4E00, 0x9FFF)));
        Assert.Null(new SiloOptions { ServiceId = service }.Problem());
        var (store, lifetime) = await OpenAsync(kind, service);
        await using var _ = lifetime;

        var appends = await Task.WhenAll(
            store.AppendAsync(LogEntries.Visit(longest, longest, 1)),
            store.AppendAsync(LogEntries.Visit("beside", "e1", 1)));

        Assert.Equal([true, true], appends);
        Assert.Equal(longest, Assert.Single(await store.ReadEntriesAsync(longest, 0)).Touchpoint!.EventId);
        Assert.Equal(1, (await store.FindEventAsync(longest, longest))?.Sequence);
        Assert.False(await store.AppendAsync(LogEntries.Visit(longest, longest, 2)));
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task CheckpointsAreListedByPrefixAndForgottenOnlyWhenCovered(string kind)
    {
        var service = "svc-" + Guid.NewGuid().ToString("N");
        var (store, lifetime) = await OpenAsync(kind, service);
        await using var _ = lifetime;
        await store.AdvanceCheckpointAsync("segments", 3);
        await store.AdvanceCheckpointAsync("segments@a", 7);
        await store.AdvanceCheckpointAsync("segments@b", 9);
        await store.AdvanceCheckpointAsync("segmentless", 1);
        await store.AdvanceCheckpointAsync("other", 5);

        var (neighbour, neighbourLifetime) = await OpenAsync(kind, "svc-" + Guid.NewGuid().ToString("N"));
        await using var __ = neighbourLifetime;
        await neighbour.AdvanceCheckpointAsync("segments@c", 1);

        Assert.Equal(
            new Dictionary<string, long> { ["segments@a"] = 7, ["segments@b"] = 9 },
            await store.ReadCheckpointsAsync("segments@"));
        Assert.Equal(["segmentless", "segments", "segments@a", "segments@b"], (await store.ReadCheckpointsAsync("segment")).Keys.Order(StringComparer.Ordinal));
        Assert.Empty(await store.ReadCheckpointsAsync("%"));

        // Forgotten only if it records the given position or a later one.
        await store.RemoveCheckpointAsync("segments@a", 8);
        await store.RemoveCheckpointAsync("segments@b", 9);
        await store.RemoveCheckpointAsync("segments@c", 0);
        Assert.Equal(new Dictionary<string, long> { ["segments@a"] = 7 }, await store.ReadCheckpointsAsync("segments@"));
        Assert.Equal(new Dictionary<string, long> { ["segments@c"] = 1 }, await neighbour.ReadCheckpointsAsync("segments@"));
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task ServicesSharingADatabaseDoNotSeeEachOther(string kind)
    {
        var one = "svc-" + Guid.NewGuid().ToString("N");
        var (store, lifetime) = await OpenAsync(kind, one);
        await using var _ = lifetime;
        Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", "e1", At), 1, At)));
        await store.AdvanceCheckpointAsync("segments", 7);

        var (other, otherLifetime) = await OpenAsync(kind, "svc-" + Guid.NewGuid().ToString("N"));
        await using var __ = otherLifetime;
        Assert.True(await other.AppendAsync(CustomerLogEntry.For(Visit("c1", "e1", At), 1, At)));
        Assert.Single(await other.ReadEntriesAsync("c1", 0));
        Assert.Empty(await other.ReadCheckpointsAsync("segments"));
        Assert.Equal(["c1"], await other.CustomersAfterAsync(0));
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task EveryCustomerIsListedOnceInIdOrderPageByPage(string kind)
    {
        var (store, lifetime) = await OpenAsync(kind);
        await using var _ = lifetime;
        string[] ids = ["b-2", "a-1", "c-10", "c-9", "B-0"];
        foreach (var id in ids)
        {
            // Several entries each: a customer is still listed once.
            for (var sequence = 1; sequence <= 3; sequence++)
            {
                Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit(id, $"e{sequence}", At), sequence, At)));
            }
        }

        var (other, otherLifetime) = await OpenAsync(kind);
        await using var __ = otherLifetime;
        Assert.True(await other.AppendAsync(CustomerLogEntry.For(Visit("a-0", "e1", At), 1, At)));

        var listed = new List<string>();
        string? cursor = null;
        while (await store.ReadCustomerIdsAsync(cursor, 2) is { Count: > 0 } page)
        {
            Assert.True(page.Count <= 2);
            listed.AddRange(page);
            cursor = page[^1];
        }

        Assert.Equal(ids.Order(StringComparer.Ordinal), listed);
        Assert.Equal(ids.Length, await store.CountCustomersAsync());
        Assert.Equal(["a-0"], await other.ReadCustomerIdsAsync(null, 10));
        Assert.Equal(1, await other.CountCustomersAsync());
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task TouchpointsPageNewestFirstWithEventIdBreakingTies(string kind)
    {
        var (store, lifetime) = await OpenAsync(kind);
        await using var _ = lifetime;
        string[] ids = ["b", "a", "c", "d", "e"];
        DateTimeOffset[] times = [At, At, At.AddMinutes(1), At.AddMinutes(-1), At.AddMinutes(1)];
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", ids[i], times[i]), i + 1, At)));
        }

        await store.AppendAsync(CustomerLogEntry.For("c1", new ProfilePatch { GivenName = "x" }, 6, At));

        var all = await store.ReadTouchpointsAsync("c1", null, null, 10);
        Assert.Equal(["e", "c", "b", "a", "d"], all.Select(t => t.EventId));
        var afterB = await store.ReadTouchpointsAsync("c1", TouchpointCursor.Of(all[2]), null, 10);
        Assert.Equal(["a", "d"], afterB.Select(t => t.EventId));
        Assert.Equal(["e", "c"], (await store.ReadTouchpointsAsync("c1", null, null, 2)).Select(t => t.EventId));
        Assert.Equal(["e", "c", "b", "a"], (await store.ReadTouchpointsAsync("c1", null, At, 10)).Select(t => t.EventId));
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task TiesOnOneTickPageInTheOrderOfTheCustomersView(string kind)
    {
        // Ids whose UTF-16 code units and code points sort differently: a full-width letter
        // (U+FF21) and an emoji above U+FFFF (a surrogate pair), beside plain ones.
        var (store, lifetime) = await OpenAsync(kind);
        await using var _ = lifetime;
        string[] ids = ["\uFF21", "\U0001F600", "z", "\uFF21\U0001F600", "\uFF21a"];
        for (var i = 0; i < ids.Length; i++)
        {
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", ids[i], At), i + 1, At)));
        }

        var viewOrder = ids.Select(id => Visit("c1", id, At)).Order(Comparer<Touchpoint>.Create(Touchpoint.NewestFirst)).Select(t => t.EventId).ToList();
        var paged = new List<string>();
        TouchpointCursor? cursor = null;
        while (await store.ReadTouchpointsAsync("c1", cursor, null, 2) is { Count: > 0 } page)
        {
            paged.AddRange(page.Select(t => t.EventId));
            cursor = TouchpointCursor.Of(page[^1]);
        }

        Assert.Equal(["\U0001F600", "\uFF21\U0001F600", "\uFF21a", "\uFF21", "z"], viewOrder);
        Assert.Equal(viewOrder, paged);
    }

    private static Touchpoint Sale(string customerId, string eventId, DateTimeOffset occurredAt, TouchpointKind kind, decimal amount) => new()
    {
        EventId = eventId,
        CustomerId = customerId,
        OccurredAt = occurredAt,
        Channel = Channel.PointOfSale,
        Kind = kind,
        Amount = new Money(amount, "EUR"),
        ReportingAmount = amount,
    };

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task PurchaseDaysAreSummedPerCustomerAndDayFromTheLog(string kind)
    {
        var (store, lifetime) = await OpenAsync(kind);
        await using (lifetime)
        {
            var day = DailyActivity.DayOf(At);
            Touchpoint[] b =
            [
                Sale("b", "b1", At.AddDays(3), TouchpointKind.Purchase, 10.10m),
                Sale("b", "b2", At.AddDays(3).AddHours(5), TouchpointKind.Purchase, 0.01m),
                Sale("b", "b3", At.AddDays(3).AddHours(6), TouchpointKind.Return, 2.5m),
                Sale("b", "b4", At.AddDays(9), TouchpointKind.Return, 1m),
                Sale("b", "b5", At.AddDays(30), TouchpointKind.Purchase, 99m),
            ];
            Touchpoint[] a =
            [
                Sale("a", "a1", At, TouchpointKind.Purchase, 12.345m),
                Visit("a", "a2", At.AddHours(1)),
            ];
            for (var i = 0; i < b.Length; i++)
            {
                Assert.True(await store.AppendAsync(CustomerLogEntry.For(b[i], i + 1, At)));
            }

            Assert.True(await store.AppendAsync(CustomerLogEntry.For(a[0], 1, At)));
            Assert.True(await store.AppendAsync(CustomerLogEntry.For("a", new ProfilePatch { GivenName = "Ada" }, 2, At)));
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(a[1], 3, At)));

            var all = await store.ReadPurchaseDaysAsync(null).ToListAsync();
            Assert.Equal(
                [
                    new CustomerDay("a", new DailyActivity(day, 12.345m, 0m, 1)),
                    new CustomerDay("b", new DailyActivity(day + 3, 10.11m, 2.5m, 2)),
                    new CustomerDay("b", new DailyActivity(day + 9, 0m, 1m, 0)),
                    new CustomerDay("b", new DailyActivity(day + 30, 99m, 0m, 1)),
                ],
                all.OrderBy(d => d.CustomerId, StringComparer.Ordinal).ThenBy(d => d.Activity.Day));

            // A customer's days come together, in day order, whatever order the customers come in.
            var runs = all.Where((d, i) => i == 0 || d.CustomerId != all[i - 1].CustomerId).Count();
            Assert.Equal(all.Select(d => d.CustomerId).Distinct().Count(), runs);
            Assert.All(all.Zip(all.Skip(1)), pair => Assert.True(pair.First.CustomerId != pair.Second.CustomerId || pair.First.Activity.Day < pair.Second.Activity.Day));

            var untilDay9 = await store.ReadPurchaseDaysAsync(At.AddDays(9)).ToListAsync();
            Assert.Equal([day, day + 3, day + 9], untilDay9.Select(d => d.Activity.Day).Order());
            Assert.DoesNotContain(untilDay9, d => d.Activity.Day == day + 30);

            // Before the first entry's event time, nothing.
            Assert.Empty(await store.ReadPurchaseDaysAsync(At.AddTicks(-1)).ToListAsync());
        }
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task AnActivationReadsTheLatestSnapshotAndOnlyTheEntriesAfterIt(string kind)
    {
        var (store, lifetime) = await OpenAsync(kind);
        await using (lifetime)
        {
            for (var sequence = 1; sequence <= 4; sequence++)
            {
                Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", $"e{sequence}", At.AddMinutes(sequence)), sequence, At)));
            }

            var unsnapshotted = await store.ReadCustomerAsync("c1");
            Assert.Null(unsnapshotted.Snapshot);
            Assert.Equal([1L, 2L, 3L, 4L], unsnapshotted.Entries.Select(e => e.Sequence));

            store.SaveSnapshot(new CustomerSnapshot("c1", 2, [2, 2]));
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", "e5", At.AddMinutes(5)), 5, At)));

            var stored = await store.ReadCustomerAsync("c1");
            Assert.Equal(2, stored.Snapshot!.Version);
            Assert.Equal([(byte)2, (byte)2], stored.Snapshot.Payload);
            Assert.Equal([3L, 4L, 5L], stored.Entries.Select(e => e.Sequence));
            Assert.Equal(["e3", "e4", "e5"], stored.Entries.Select(e => e.Touchpoint!.EventId));

            var unknown = await store.ReadCustomerAsync("c2");
            Assert.Null(unknown.Snapshot);
            Assert.Empty(unknown.Entries);
        }
    }

    private static CustomerValueSummary Summary(long version, Channel channel = Channel.MobileApp) =>
        new(version, 3, 739_000, 739_120, 1234.56m, 1300.1m, 1299.99m, channel);

    /// <summary>
    /// Appends an entry for a customer of its own, so that the snapshots queued before it are
    /// committed with it or before it. That holds with <see cref="OneCommitAtATime"/>: with two
    /// batches committing at once, a batch of the snapshots alone may finish after the entry's.
    /// </summary>
    private static async Task CommitQueuedSnapshotsAsync(ICustomerStore store) =>
        Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("z-" + Guid.NewGuid().ToString("N"), "e1", At), 1, At)));

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task AValueSummaryIsStoredWithItsSnapshotAndSweepPagesCarryItOnlyWhileItIsCurrent(string kind)
    {
        var (store, lifetime) = await OpenAsync(kind, options: OneCommitAtATime);
        await using (lifetime)
        {
            // c1: snapshot at its last entry, with a summary. c2: an entry after its snapshot.
            // c3: a snapshot without a summary, as earlier versions wrote them. c4: no snapshot.
            foreach (var (customer, entries) in new[] { ("c1", 2), ("c2", 2), ("c3", 1), ("c4", 1) })
            {
                for (var sequence = 1; sequence <= entries; sequence++)
                {
                    Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit(customer, $"e{sequence}", At), sequence, At)));
                }
            }

            store.SaveSnapshot(new CustomerSnapshot("c1", 2, [1], Summary(2)));
            store.SaveSnapshot(new CustomerSnapshot("c2", 1, [2], Summary(1, Channel.Web)));
            store.SaveSnapshot(new CustomerSnapshot("c3", 1, [3]));
            await CommitQueuedSnapshotsAsync(store);

            Assert.Equal(Summary(2), (await store.ReadSnapshotAsync("c1"))!.Summary);
            Assert.Equal(Summary(2), (await store.ReadCustomerAsync("c1")).Snapshot!.Summary);
            Assert.Equal(Summary(1, Channel.Web), (await store.ReadSnapshotAsync("c2"))!.Summary);
            Assert.Null((await store.ReadSnapshotAsync("c3"))!.Summary);

            var page = await store.ReadSweepPageAsync(null, 4);
            Assert.Equal(["c1", "c2", "c3", "c4"], page.Select(c => c.CustomerId));
            Assert.Equal(Summary(2), page[0].Summary);
            Assert.Null(page[1].Summary);
            Assert.Null(page[2].Summary);
            Assert.Null(page[3].Summary);

            // Pages go on after the cursor, as ReadCustomerIdsAsync does.
            Assert.Equal(["c3", "c4"], (await store.ReadSweepPageAsync("c2", 2)).Select(c => c.CustomerId));

            // Once an entry follows it, c1's summary is no longer current.
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", "e3", At), 3, At)));
            Assert.Null((await store.ReadSweepPageAsync(null, 1)).Single().Summary);
        }
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task ASnapshotWithASummaryReplacesOneOfTheSameVersionWithoutOne(string kind)
    {
        var (store, lifetime) = await OpenAsync(kind, options: OneCommitAtATime);
        await using (lifetime)
        {
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", "e1", At), 1, At)));
            store.SaveSnapshot(new CustomerSnapshot("c1", 1, [1]));
            await CommitQueuedSnapshotsAsync(store);
            Assert.Null((await store.ReadSweepPageAsync(null, 1)).Single().Summary);

            store.SaveSnapshot(new CustomerSnapshot("c1", 1, [1, 1], Summary(1)));
            await CommitQueuedSnapshotsAsync(store);
            Assert.Equal(Summary(1), (await store.ReadSweepPageAsync(null, 1)).Single().Summary);

            // Otherwise the same version changes nothing.
            store.SaveSnapshot(new CustomerSnapshot("c1", 1, [9]));
            await CommitQueuedSnapshotsAsync(store);
            var snapshot = await store.ReadSnapshotAsync("c1");
            Assert.Equal([(byte)1, (byte)1], snapshot!.Payload);
            Assert.Equal(Summary(1), snapshot.Summary);
        }
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task SnapshotsNeverGoBackAndCheckpointsOnlyAdvance(string kind)
    {
        var (store, lifetime) = await OpenAsync(kind, options: OneCommitAtATime);
        await using (lifetime)
        {
            store.SaveSnapshot(new CustomerSnapshot("c1", 5, [5]));
            store.SaveSnapshot(new CustomerSnapshot("c1", 3, [3]));
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", "e1", At), 1, At)));
            store.SaveSnapshot(new CustomerSnapshot("c1", 4, [4]));
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", "e2", At), 2, At)));

            var snapshot = await store.ReadSnapshotAsync("c1");
            Assert.Equal(5, snapshot!.Version);
            Assert.Equal([(byte)5], snapshot.Payload);
            Assert.Null(await store.ReadSnapshotAsync("c2"));

            await store.AdvanceCheckpointAsync("segments", 10);
            await store.AdvanceCheckpointAsync("segments", 4);
            Assert.Equal(10, (await store.ReadCheckpointsAsync("segments"))["segments"]);
        }
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task CustomersAfterAPositionAreThoseWithLaterEntries(string kind)
    {
        var (store, lifetime) = await OpenAsync(kind);
        await using var _ = lifetime;
        await store.AppendAsync(CustomerLogEntry.For(Visit("early", "e1", At), 1, At));
        var position = await store.LastPositionAsync();
        Assert.True(position > 0);
        await store.AppendAsync(CustomerLogEntry.For(Visit("late-1", "e1", At), 1, At));
        await store.AppendAsync(CustomerLogEntry.For(Visit("late-2", "e1", At), 1, At));
        await store.AppendAsync(CustomerLogEntry.For(Visit("late-1", "e2", At), 2, At));

        Assert.Equal(["late-1", "late-2"], (await store.CustomersAfterAsync(position)).Order(StringComparer.Ordinal));
        Assert.Empty(await store.CustomersAfterAsync(await store.LastPositionAsync()));
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task ConcurrentAppendsAreBatchedAndEachGetsItsOwnOutcome(string kind)
    {
        var (store, lifetime) = await OpenAsync(kind);
        await using var _ = lifetime;

        // 400 customers, each appended twice at once under the same position: one wins. A
        // snapshot travels in the same batches and must survive the conflicts around it.
        store.SaveSnapshot(new CustomerSnapshot("c0", 1, [3, 6, 0]));
        var attempts = Enumerable.Range(0, 400)
            .SelectMany(c => new[] { Visit($"c{c}", $"first-{c}", At), Visit($"c{c}", $"rival-{c}", At) })
            .Select(t => store.AppendAsync(CustomerLogEntry.For(t, 1, At)))
            .ToArray();
        var outcomes = await Task.WhenAll(attempts);

        Assert.Equal(400, outcomes.Count(o => o));
        for (var c = 0; c < 400; c++)
        {
            Assert.True(outcomes[2 * c] ^ outcomes[(2 * c) + 1]);
            Assert.Single(await store.ReadEntriesAsync($"c{c}", 0));
        }

        Assert.Equal([3, 6, 0], (await store.ReadSnapshotAsync("c0"))?.Payload);

        var committer = store is SqliteCustomerStore sqlite ? sqlite.Committer : ((PostgresCustomerStore)store).Committer;
        Assert.True(committer.Batches < 800, $"{committer.Batches} commits for 800 appends: nothing was batched");
    }
    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task AnErasureRemovesTheLogAndSnapshotInOneGoAndKeepsASuppressionRecord(string kind)
    {
        var (store, lifetime) = await OpenAsync(kind, options: OneCommitAtATime);
        await using (lifetime)
        {
            var erasedAt = At.AddDays(40);
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Sale("c1", "e1", At, TouchpointKind.Purchase, 20m), 1, At)));
            Assert.True(await store.AppendAsync(CustomerLogEntry.For("c1", new ProfilePatch { GivenName = "Ada" }, 2, At)));
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", "e2", At.AddDays(1)), 3, At)));
            store.SaveSnapshot(new CustomerSnapshot("c1", 3, [1], Summary(3)));
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Sale("c2", "e1", At, TouchpointKind.Purchase, 5m), 1, At)));
            await CommitQueuedSnapshotsAsync(store);
            var customersBefore = await store.CountCustomersAsync();

            var erasure = await store.EraseCustomerAsync("c1", erasedAt);

            // Three entries removed; the erasure takes the version after the last of them.
            Assert.Equal(new CustomerErasure(new CustomerTombstone(erasedAt, 4), 3, AlreadyErased: false), erasure);
            Assert.Empty(await store.ReadEntriesAsync("c1", 0));
            Assert.Null(await store.ReadSnapshotAsync("c1"));
            Assert.Null(await store.FindEventAsync("c1", "e1"));
            Assert.Empty(await store.ReadTouchpointsAsync("c1", null, null, 10));
            var stored = await store.ReadCustomerAsync("c1");
            Assert.Null(stored.Snapshot);
            Assert.Empty(stored.Entries);
            Assert.Equal(new CustomerTombstone(erasedAt, 4), stored.Tombstone);
            Assert.Equal(new CustomerTombstone(erasedAt, 4), await store.ReadTombstoneAsync("c1"));

            // The erased customer drops out of everything that pages over customers, and out of
            // what the value models are fitted on; the other customer is untouched.
            Assert.Equal(customersBefore - 1, await store.CountCustomersAsync());
            Assert.DoesNotContain("c1", await store.ReadCustomerIdsAsync(null, 100));
            Assert.DoesNotContain("c1", (await store.ReadSweepPageAsync(null, 100)).Select(c => c.CustomerId));
            Assert.Equal(["c2"], (await store.ReadPurchaseDaysAsync(null).ToListAsync()).Select(d => d.CustomerId));
            Assert.Single(await store.ReadEntriesAsync("c2", 0));
            Assert.Null((await store.ReadCustomerAsync("c2")).Tombstone);

            // Erased again (an operator's retry): reported as done before, with the first time.
            Assert.Equal(
                new CustomerErasure(new CustomerTombstone(erasedAt, 4), 0, AlreadyErased: true),
                await store.EraseCustomerAsync("c1", erasedAt.AddHours(1)));

            // A customer never seen cannot be erased.
            Assert.Null(await store.EraseCustomerAsync("never-seen", erasedAt));
            Assert.Null(await store.ReadTombstoneAsync("never-seen"));
        }
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task AfterAnErasureANewHistoryGoesOnAboveTheErasedVersions(string kind)
    {
        var (store, lifetime) = await OpenAsync(kind, options: OneCommitAtATime);
        await using (lifetime)
        {
            var erasedAt = At.AddDays(40);
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", "e1", At), 1, At)));
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", "e2", At), 2, At)));
            Assert.Equal(2, (await store.EraseCustomerAsync("c1", erasedAt))!.EntriesRemoved);

            // A snapshot of the customer as it was (queued before the erasure, or from an
            // activation that had not heard of it) is never stored.
            store.SaveSnapshot(new CustomerSnapshot("c1", 2, [2]));
            await CommitQueuedSnapshotsAsync(store);
            Assert.Null(await store.ReadSnapshotAsync("c1"));

            // The new history starts after the erasure's version 3; the old event id is free.
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", "e1", erasedAt.AddDays(1)), 4, erasedAt.AddDays(1))));
            store.SaveSnapshot(new CustomerSnapshot("c1", 4, [4]));
            await CommitQueuedSnapshotsAsync(store);
            var stored = await store.ReadCustomerAsync("c1");
            Assert.Equal(4, stored.Snapshot?.Version);
            Assert.Equal(new CustomerTombstone(erasedAt, 3), stored.Tombstone);
            Assert.Equal([4L], (await store.ReadEntriesAsync("c1", 0)).Select(e => e.Sequence));
            Assert.Contains("c1", await store.ReadCustomerIdsAsync(null, 100));
            var customers = await store.CountCustomersAsync();

            // Erased again: only the new history is removed, and the record moves on.
            var later = erasedAt.AddDays(2);
            Assert.Equal(new CustomerErasure(new CustomerTombstone(later, 5), 1, AlreadyErased: false), await store.EraseCustomerAsync("c1", later));
            Assert.Null(await store.ReadSnapshotAsync("c1"));
            Assert.Equal(customers - 1, await store.CountCustomersAsync());
            Assert.DoesNotContain("c1", await store.ReadCustomerIdsAsync(null, 100));
        }
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task AWriterThatHadNotHeardOfAnErasureCannotWriteIntoTheErasedHistory(string kind)
    {
        var (store, lifetime) = await OpenAsync(kind, options: OneCommitAtATime);
        await using (lifetime)
        {
            var erasedAt = At.AddDays(40);
            for (var sequence = 1; sequence <= 3; sequence++)
            {
                Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", $"e{sequence}", At), sequence, At)));
            }

            Assert.Equal(4, (await store.EraseCustomerAsync("c1", erasedAt))!.Tombstone.Version);

            // Writers left at versions 1, 2 and 3 (a second activation of the customer on another
            // server, for a moment while a cluster reconfigures), each with a touchpoint dated
            // after the erasure: every sequence up to the erasure's own is taken. Each writer is
            // told so, and stores nothing.
            for (var sequence = 2; sequence <= 4; sequence++)
            {
                var late = Visit("c1", $"late{sequence}", erasedAt.AddHours(1));
                Assert.False(await store.AppendAsync(CustomerLogEntry.For(late, sequence, erasedAt.AddHours(1))));
                Assert.Null(await store.FindEventAsync("c1", $"late{sequence}"));
            }

            Assert.False(await store.AppendAsync(CustomerLogEntry.For("c1", new ProfilePatch { GivenName = "Ada" }, 4, erasedAt.AddHours(1))));
            var stored = await store.ReadCustomerAsync("c1");
            Assert.Empty(stored.Entries);
            Assert.Empty(await store.ReadTouchpointsAsync("c1", null, null, 10));
            Assert.DoesNotContain("c1", await store.ReadCustomerIdsAsync(null, 100));

            // A writer that knows of the erasure goes on above it, as before.
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", "back", erasedAt.AddHours(2)), 5, erasedAt.AddHours(2))));
            Assert.Equal([5L], (await store.ReadCustomerAsync("c1")).Entries.Select(e => e.Sequence));
            Assert.Equal(["back"], (await store.ReadTouchpointsAsync("c1", null, null, 10)).Select(t => t.EventId));

            // Erased again, the new history's one entry is what is removed, and the erasure
            // takes the version above it; the blank entries of the first erasure stay blank.
            var again = await store.EraseCustomerAsync("c1", erasedAt.AddDays(1));
            Assert.Equal(new CustomerErasure(new CustomerTombstone(erasedAt.AddDays(1), 6), 1, AlreadyErased: false), again);
            Assert.False(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", "late6", erasedAt.AddDays(2)), 6, erasedAt.AddDays(2))));
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", "late7", erasedAt.AddDays(2)), 7, erasedAt.AddDays(2))));
        }
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    [InlineData(Memory)]
    public async Task AnErasureTakesEveryAppendQueuedBeforeIt(string kind)
    {
        var (store, lifetime) = await OpenAsync(kind);
        await using (lifetime)
        {
            Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", "e0", At), 1, At)));

            // Appends still queued or committing as the erasure is asked for: each is erased with
            // the rest, none is written after it.
            var appends = Enumerable.Range(2, 50)
                .Select(sequence => store.AppendAsync(CustomerLogEntry.For(Visit("c1", $"e{sequence}", At), sequence, At)))
                .ToArray();
            store.SaveSnapshot(new CustomerSnapshot("c1", 51, [5, 1]));
            var erasure = await store.EraseCustomerAsync("c1", At.AddDays(1));
            var stored = (await Task.WhenAll(appends)).Count(a => a);

            Assert.Equal(50, stored);
            Assert.Equal(1 + stored, erasure!.EntriesRemoved);
            Assert.Equal(52, erasure.Tombstone.Version);
            Assert.Empty(await store.ReadEntriesAsync("c1", 0));
            Assert.Null(await store.ReadSnapshotAsync("c1"));
        }
    }

    [Theory]
    [InlineData(TestStores.Sqlite)]
    [InlineData(TestStores.Postgres)]
    public async Task NothingOfAnErasedCustomerIsLeftInTheDatabaseButItsEntriesNumbers(string kind)
    {
        var service = "erase_" + Guid.NewGuid().ToString("N");
        var (store, lifetime) = await OpenAsync(kind, service, OneCommitAtATime);
        await using (lifetime)
        {
            for (var sequence = 1; sequence <= 3; sequence++)
            {
                Assert.True(await store.AppendAsync(CustomerLogEntry.For(Visit("c1", $"e{sequence}", At), sequence, At)));
            }

            store.SaveSnapshot(new CustomerSnapshot("c1", 3, [3]));
            await CommitQueuedSnapshotsAsync(store);
            Assert.Equal((3L, 0L, 1L), await RawCountsAsync(kind, store, service, "c1"));

            await store.EraseCustomerAsync("c1", At.AddDays(1));

            // Three blank entries, and the erasure's own at version 4; no snapshot.
            Assert.Equal((0L, 4L, 0L), await RawCountsAsync(kind, store, service, "c1"));
        }
    }

    /// <summary>
    /// The customer's log rows, counted by its key straight from the database: those holding
    /// anything beyond the key and the entry's sequence (and commit position), and those blank;
    /// and its snapshot rows. Fails if the customer's key row is gone.
    /// </summary>
    private static async Task<(long LogRowsWithContent, long BlankLogRows, long SnapshotRows)> RawCountsAsync(string kind, ICustomerStore store, string service, string customerId)
    {
        const string Key = "SELECT customer_key FROM customer360_customer WHERE service_id = @svc AND customer_id = @c";
        const string Blank =
            "kind = 0 AND event_id IS NULL AND occurred_ticks IS NULL AND recorded_ticks = 0 AND fingerprint = 0 AND payload = '' AND touchpoint_kind IS NULL AND amount IS NULL";
        const string Log = $"SELECT count(*) FROM customer360_log WHERE customer_key = @key AND NOT ({Blank})";
        const string BlankLog = $"SELECT count(*) FROM customer360_log WHERE customer_key = @key AND {Blank}";
        const string Snapshots = "SELECT count(*) FROM customer360_snapshot WHERE service_id = @svc AND customer_id = @c";
        if (kind == TestStores.Sqlite)
        {
            await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(((SqliteCustomerStore)store).ConnectionString);
            connection.Open();
            long Scalar(string sql, long key = 0)
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                command.Parameters.AddWithValue("@svc", service);
                command.Parameters.AddWithValue("@c", customerId);
                command.Parameters.AddWithValue("@key", key);
                return Convert.ToInt64(command.ExecuteScalar() ?? throw new InvalidOperationException($"no key row for '{customerId}'"), System.Globalization.CultureInfo.InvariantCulture);
            }

            var sqliteKey = Scalar(Key);
            return (Scalar(Log, sqliteKey), Scalar(BlankLog, sqliteKey), Scalar(Snapshots));
        }

        var settings = await TestStores.SettingsAsync(TestStores.Postgres, service);
        await using var postgres = new Npgsql.NpgsqlConnection(settings["Customer360:Storage:ConnectionString"]);
        await postgres.OpenAsync();
        async Task<long> ScalarAsync(string sql, long key = 0)
        {
            await using var command = new Npgsql.NpgsqlCommand(sql, postgres);
            command.Parameters.AddWithValue("svc", service);
            command.Parameters.AddWithValue("c", customerId);
            command.Parameters.AddWithValue("key", key);
            return Convert.ToInt64(await command.ExecuteScalarAsync() ?? throw new InvalidOperationException($"no key row for '{customerId}'"), System.Globalization.CultureInfo.InvariantCulture);
        }

        var postgresKey = await ScalarAsync(Key);
        return (await ScalarAsync(Log, postgresKey), await ScalarAsync(BlankLog, postgresKey), await ScalarAsync(Snapshots));
    }
}

using System.Collections.Concurrent;
using Customer360.Domain.Customers;
using Customer360.Grains.Storage;
using Customer360.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Customer360.EndToEnd.Tests.Storage;

/// <summary>The group committer's batching rules, with the database replaced by a recording delegate.</summary>
public sealed class GroupCommitterTests
{
    private static CustomerLogEntry Entry(string customerId, long sequence, string eventId) => CustomerLogEntry.For(
        new Touchpoint
        {
            EventId = eventId,
            CustomerId = customerId,
            OccurredAt = DateTimeOffset.UnixEpoch,
            Channel = Channel.Web,
            Kind = TouchpointKind.Visit,
        },
        sequence,
        DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task NoBatchIsLargerThanTheMaximumAndEveryAppendIsCommittedOnce()
    {
        var batches = new ConcurrentQueue<int>();
        var gate = new TaskCompletionSource();
        var committer = new GroupCommitter(
            async (appends, _, _) =>
            {
                await gate.Task;
                batches.Enqueue(appends.Count);
                return [.. appends.Select(_ => true)];
            },
            new GroupCommitOptions { MaxBatchSize = 7 },
            NullLogger.Instance);

        var appends = Enumerable.Range(0, 50).Select(i => committer.AppendAsync(Entry($"c{i}", 1, "e"))).ToArray();
        gate.SetResult();
        Assert.All(await Task.WhenAll(appends), Assert.True);
        await committer.DisposeAsync();

        Assert.Equal(50, batches.Sum());
        Assert.All(batches, size => Assert.InRange(size, 1, 7));
        Assert.Equal(50, committer.Entries);
    }

    [Fact]
    public async Task AFailedCommitFailsEveryAppendInItAsUnavailable()
    {
        var committer = new GroupCommitter(
            (_, _, _) => Task.FromException<bool[]>(new IOException("disk gone")),
            new GroupCommitOptions(),
            NullLogger.Instance);

        var error = await Assert.ThrowsAsync<CustomerStoreUnavailableException>(() => committer.AppendAsync(Entry("c1", 1, "e1")));
        Assert.IsType<IOException>(error.InnerException);
        await committer.DisposeAsync();
    }

    [Fact]
    public async Task OneBatchNeverCarriesTheSamePositionOrEventTwice()
    {
        var seen = new ConcurrentBag<IReadOnlyList<CustomerLogEntry>>();
        var committing = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        var committer = new GroupCommitter(
            async (appends, _, _) =>
            {
                committing.TrySetResult();
                await gate.Task;
                seen.Add([.. appends]);
                return [.. appends.Select(_ => true)];
            },
            // One commit at a time, so that the three appends queued behind the blocker all go
            // in the next batch: with a second slot free, the first of them could leave alone.
            new GroupCommitOptions { MaxConcurrentCommits = 1 },
            NullLogger.Instance);

        var blocker = committer.AppendAsync(Entry("other", 1, "x"));
        await committing.Task;
        var first = committer.AppendAsync(Entry("c1", 1, "e1"));
        var samePosition = committer.AppendAsync(Entry("c1", 1, "e2"));
        var sameEvent = committer.AppendAsync(Entry("c1", 2, "e1"));
        gate.SetResult();

        Assert.True(await blocker);
        Assert.True(await first);
        Assert.False(await samePosition);
        Assert.False(await sameEvent);
        await committer.DisposeAsync();
        Assert.DoesNotContain(seen, batch => batch.Count(e => e.CustomerId == "c1") > 1);
    }

    [Fact]
    public async Task OnlyTheNewestQueuedSnapshotOfACustomerIsWrittenAndDisposeDrainsTheQueue()
    {
        var written = new ConcurrentQueue<CustomerSnapshot>();
        var committing = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        var committer = new GroupCommitter(
            async (appends, snapshots, _) =>
            {
                committing.TrySetResult();
                await gate.Task;
                foreach (var s in snapshots)
                {
                    written.Enqueue(s);
                }

                return [.. appends.Select(_ => true)];
            },
            new GroupCommitOptions(),
            NullLogger.Instance);

        // The first commit holds at the gate, so the snapshots below queue up behind it and
        // form the next batch together.
        var blocker = committer.AppendAsync(Entry("other", 1, "x"));
        await committing.Task;
        committer.SaveSnapshot(new CustomerSnapshot("c1", 3, [3]));
        committer.SaveSnapshot(new CustomerSnapshot("c1", 9, [9]));
        committer.SaveSnapshot(new CustomerSnapshot("c1", 4, [4]));
        committer.SaveSnapshot(new CustomerSnapshot("c2", 1, [1]));
        gate.SetResult();
        Assert.True(await blocker);
        await committer.DisposeAsync();

        Assert.Equal([("c1", 9L), ("c2", 1L)], written.Select(s => (s.CustomerId, s.Version)).Order());
        await Assert.ThrowsAsync<CustomerStoreUnavailableException>(() => committer.AppendAsync(Entry("c3", 1, "e")));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task NoMoreBatchesCommitAtOnceThanAllowed(int allowed)
    {
        var inFlight = 0;
        var most = 0;
        var gate = new TaskCompletionSource();
        var started = new SemaphoreSlim(0);
        var committer = new GroupCommitter(
            async (appends, _, _) =>
            {
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref most, now);
                started.Release();
                await gate.Task;
                Interlocked.Decrement(ref inFlight);
                return [.. appends.Select(_ => true)];
            },
            new GroupCommitOptions { MaxBatchSize = 1, MaxConcurrentCommits = allowed },
            NullLogger.Instance);

        var appends = Enumerable.Range(0, 10).Select(i => committer.AppendAsync(Entry($"c{i}", 1, "e"))).ToArray();

        // Every allowed slot fills while the first commits are held at the gate, and no more.
        for (var i = 0; i < allowed; i++)
        {
            Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.False(await started.WaitAsync(TimeSpan.FromMilliseconds(200)));
        gate.SetResult();
        Assert.All(await Task.WhenAll(appends), Assert.True);
        await committer.DisposeAsync();

        Assert.Equal(allowed, most);
        Assert.Equal(10, committer.Entries);
    }

    [Fact]
    public async Task ABatchHoldsItsEntriesInCustomerAndSequenceOrderAndItsSnapshotsInCustomerOrder()
    {
        var committing = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        var batches = new ConcurrentQueue<IReadOnlyList<CustomerLogEntry>>();
        var snapshotBatches = new ConcurrentQueue<IReadOnlyList<CustomerSnapshot>>();
        var committer = new GroupCommitter(
            async (appends, snapshots, _) =>
            {
                committing.TrySetResult();
                await gate.Task;
                batches.Enqueue([.. appends]);
                snapshotBatches.Enqueue([.. snapshots]);
                return [.. appends.Select(_ => true)];
            },
            new GroupCommitOptions { MaxConcurrentCommits = 1 },
            NullLogger.Instance);

        var blocker = committer.AppendAsync(Entry("a", 1, "x"));
        await committing.Task;
        var queued = new[] { ("m", 2L), ("b", 7L), ("m", 1L), ("z", 1L), ("b", 3L) }
            .Select(p => committer.AppendAsync(Entry(p.Item1, p.Item2, $"e{p.Item2}"))).ToArray();
        committer.SaveSnapshot(new CustomerSnapshot("y", 1, [1]));
        committer.SaveSnapshot(new CustomerSnapshot("c", 1, [1]));
        committer.SaveSnapshot(new CustomerSnapshot("k", 1, [1]));
        gate.SetResult();
        Assert.True(await blocker);
        Assert.All(await Task.WhenAll(queued), Assert.True);
        await committer.DisposeAsync();

        var second = batches.Last();
        Assert.Equal([("b", 3L), ("b", 7L), ("m", 1L), ("m", 2L), ("z", 1L)], second.Select(e => (e.CustomerId, e.Sequence)));
        Assert.Equal(["c", "k", "y"], snapshotBatches.Last().Select(s => s.CustomerId));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}

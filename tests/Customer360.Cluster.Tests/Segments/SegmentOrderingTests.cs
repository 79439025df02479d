using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Segments;

namespace Customer360.Cluster.Tests.Segments;

/// <summary>
/// Segment updates come from the buffers of every silo, so one customer's updates can reach a
/// segment out of order: when a customer is reactivated on another silo, updates it made there
/// may overtake ones still buffered on the silo it left. Whatever the order, a segment must end
/// up with the customer's newest membership. These tests feed the batches directly, in the
/// order that race produces, to segments of their own.
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class SegmentOrderingTests(ClusterFixture fixture)
{
    private ISegmentGrain NewSegment() => fixture.Segment($"test:{Guid.NewGuid():N}");

    [Fact]
    public async Task JoinArrivingAfterTheLaterLeaveDoesNotMakeAMember()
    {
        var segment = NewSegment();
        const string customer = "mover";

        // Left at version 6 (moved to another segment); the version-5 join was still buffered elsewhere.
        await segment.ApplyAsync([new SegmentUpdate(customer, 6, false, 0m, 0m, WasMember: true)]);
        await segment.ApplyAsync([new SegmentUpdate(customer, 5, true, 1200m, 1200m)]);

        var figures = await segment.GetAsync(10);
        Assert.Equal(0, figures.MemberCount);
        Assert.Equal(0m, figures.TotalNetSpend);
        Assert.Empty(figures.TopMembers);
    }

    [Fact]
    public async Task AJoinArrivingAfterAFullReStatementWithoutTheCustomerDoesNotMakeAMember()
    {
        // The customer joined tier X at version 5 on one silo; that join is still buffered there.
        // Activated on another silo, it is rescored at version 6 into tier Y, and that silo
        // re-states all its memberships: a member of Y, not a member of X (not knowing it ever was).
        var tierX = NewSegment();
        var tierY = NewSegment();
        const string customer = "restated";
        await tierX.ApplyAsync([new SegmentUpdate(customer, 6, false, 0m, 0m)]);
        await tierY.ApplyAsync([new SegmentUpdate(customer, 6, true, 700m, 650m)]);

        // The join buffered on the first silo arrives last.
        await tierX.ApplyAsync([new SegmentUpdate(customer, 5, true, 700m, 900m)]);

        var x = await tierX.GetAsync(10);
        Assert.Equal((0L, 0m, 0m), (x.MemberCount, x.TotalNetSpend, x.TotalValueScore));
        Assert.Empty(x.TopMembers);
        var y = await tierY.GetAsync(10);
        Assert.Equal((1L, 700m, 650m), (y.MemberCount, y.TotalNetSpend, y.TotalValueScore));

        // A later join is newer than the re-statement: the customer is a member again.
        await tierX.ApplyAsync([new SegmentUpdate(customer, 7, true, 800m, 950m)]);
        Assert.Equal(1, (await tierX.GetAsync(10)).MemberCount);
    }

    [Fact]
    public async Task AJoinScoredBeforeARescoreThatReStatedTheCustomerOutOfTheSegmentDoesNotMakeAMember()
    {
        // The same race within one customer version: the re-statement carries a newer score
        // revision (a rescore on activation, or the cold re-scoring sweep), the late join an older one.
        var segment = NewSegment();
        const string customer = "rescored-out";
        await segment.ApplyAsync([new SegmentUpdate(customer, 4, false, 0m, 0m, ScoreRevision: Revision(3, 20))]);
        await segment.ApplyAsync([new SegmentUpdate(customer, 4, true, 900m, 900m, ScoreRevision: Revision(2, 20))]);

        var figures = await segment.GetAsync(10);
        Assert.Equal((0L, 0m), (figures.MemberCount, figures.TotalValueScore));
    }

    [Fact]
    public async Task UpdatesInAnyOrderGiveTheNewestMembership()
    {
        SegmentUpdate[] history =
        [
            new("a", 1, true, 100m, 100m),
            new("a", 2, false, 0m, 0m, WasMember: true),
            new("a", 3, true, 300m, 300m),
            new("b", 1, true, 50m, 50m),
            new("b", 2, true, 80m, 80m),
            new("c", 4, true, 10m, 10m),
            new("c", 5, false, 0m, 0m, WasMember: true),
        ];

        for (var seed = 0; seed < 10; seed++)
        {
            var segment = NewSegment();
            var order = history.ToArray();
            new Random(seed).Shuffle(order);
            foreach (var update in order)
            {
                await segment.ApplyAsync([update]);
            }

            var figures = await segment.GetAsync(10);
            Assert.Equal(2, figures.MemberCount);
            Assert.Equal(380m, figures.TotalNetSpend);
            Assert.Equal(380m, figures.TotalValueScore);
            Assert.Equal([new SegmentMember("a", 300m, 300m), new SegmentMember("b", 80m, 80m)], figures.TopMembers);
        }
    }

    [Fact]
    public async Task ARescoreAtTheSameVersionReplacesTheScoreAndALateOlderScoreDoesNot()
    {
        var segment = NewSegment();
        const string customer = "rescored";

        // Scored at version 4 by model 1, then rescored (no new touchpoint) by model 2.
        await segment.ApplyAsync([new SegmentUpdate(customer, 4, true, 500m, 120m, ScoreRevision: Revision(1, 10))]);
        await segment.ApplyAsync([new SegmentUpdate(customer, 4, true, 500m, 180m, ScoreRevision: Revision(2, 10))]);
        var rescored = await segment.GetAsync(10);
        Assert.Equal(180m, rescored.TotalValueScore);

        // A re-statement of the model-1 score, delayed in another silo's buffer, is older.
        await segment.ApplyAsync([new SegmentUpdate(customer, 4, true, 500m, 120m, ScoreRevision: Revision(1, 11))]);
        Assert.Equal(180m, (await segment.GetAsync(10)).TotalValueScore);

        // The same model a day later is newer; a new version is newer whatever its score's revision.
        await segment.ApplyAsync([new SegmentUpdate(customer, 4, true, 500m, 175m, ScoreRevision: Revision(2, 11))]);
        Assert.Equal(175m, (await segment.GetAsync(10)).TotalValueScore);
        await segment.ApplyAsync([new SegmentUpdate(customer, 5, true, 520m, 190m, ScoreRevision: Revision(1, 11))]);
        var figures = await segment.GetAsync(10);
        Assert.Equal(190m, figures.TotalValueScore);
        Assert.Equal(520m, figures.TotalNetSpend);
        Assert.Equal(1, figures.MemberCount);
    }

    [Fact]
    public async Task ATierMoveByRescoreIsNotUndoneByTheEarlierJoinArrivingLate()
    {
        var segment = NewSegment();
        const string customer = "demoted";

        // Rescored out of this tier at version 7; the join from its score before that arrives afterwards.
        await segment.ApplyAsync([new SegmentUpdate(customer, 7, false, 0m, 0m, WasMember: true, ScoreRevision: Revision(3, 20))]);
        await segment.ApplyAsync([new SegmentUpdate(customer, 7, true, 900m, 900m, ScoreRevision: Revision(2, 20))]);

        Assert.Equal(0, (await segment.GetAsync(10)).MemberCount);
    }

    private static long Revision(long model, int day) => Customer360.Domain.Values.ValueAssessment.Revise(model, day);

    [Fact]
    public async Task RetriedBatchChangesNothing()
    {
        var segment = NewSegment();
        SegmentUpdate[] batch = [new("a", 1, true, 100m, 100m), new("b", 3, true, 200m, 150m)];

        await segment.ApplyAsync(batch);
        var first = await segment.GetAsync(10);
        await segment.ApplyAsync(batch);
        var second = await segment.GetAsync(10);

        Assert.Equal(first.Version, second.Version);
        Assert.Equal(2, second.MemberCount);
        Assert.Equal(300m, second.TotalNetSpend);
        Assert.Equal(250m, second.TotalValueScore);
    }

    [Fact]
    public async Task ANewerUpdateThatChangesNoFigureKeepsTheVersionAndTellsNoWatcher()
    {
        var segment = NewSegment();
        await segment.ApplyAsync([new SegmentUpdate("stays", 1, true, 100m, 300m), new SegmentUpdate("left", 2, false, 0m, 0m, WasMember: true)]);
        var before = await segment.GetAsync(10);

        // Newer, but the same figures: a profile change of a member (same net spend and score),
        // and the re-statement of a customer that had left.
        await segment.ApplyAsync([new SegmentUpdate("stays", 2, true, 100m, 300m), new SegmentUpdate("left", 3, false, 0m, 0m)]);
        var unchanged = await segment.WaitForChangeAsync(before.Version, 10, TimeSpan.FromMilliseconds(300));

        Assert.Null(unchanged);
        Assert.Equal(before, await segment.GetAsync(10), SameFigures.Instance);

        // The newer orders were taken all the same: the older updates they replace stay out.
        await segment.ApplyAsync([new SegmentUpdate("left", 2, true, 999m, 999m)]);
        Assert.Equal(1, (await segment.GetAsync(10)).MemberCount);
    }

    private sealed class SameFigures : IEqualityComparer<SegmentFigures>
    {
        public static readonly SameFigures Instance = new();

        public bool Equals(SegmentFigures? x, SegmentFigures? y) =>
            x is not null && y is not null
            && (x.MemberCount, x.TotalNetSpend, x.TotalValueScore, x.Version, x.UpdatedAt) == (y.MemberCount, y.TotalNetSpend, y.TotalValueScore, y.Version, y.UpdatedAt)
            && x.TopMembers.SequenceEqual(y.TopMembers);

        public int GetHashCode(SegmentFigures obj) => obj.Version.GetHashCode();
    }

    [Fact]
    public async Task AChangeAtTheSameScoreMovesTheNetSpendAndKeepsTheRanking()
    {
        var segment = NewSegment();

        await segment.ApplyAsync([new SegmentUpdate("a", 1, true, 100m, 300m), new SegmentUpdate("b", 1, true, 50m, 80m)]);

        // A contact (same score) and a return that left the score as it was.
        await segment.ApplyAsync([new SegmentUpdate("b", 2, true, 50m, 80m), new SegmentUpdate("a", 2, true, 70m, 300m)]);
        var figures = await segment.GetAsync(10);
        Assert.Equal((2, 120m, 380m), (figures.MemberCount, figures.TotalNetSpend, figures.TotalValueScore));
        Assert.Equal([new SegmentMember("a", 300m, 70m), new SegmentMember("b", 80m, 50m)], figures.TopMembers);

        // The same score written with another scale is a new score: it is shown as sent.
        await segment.ApplyAsync([new SegmentUpdate("b", 3, true, 50m, 80.00m)]);
        var rescaled = (await segment.GetAsync(10)).TopMembers[1];
        Assert.Equal("80.00", rescaled.ValueScore.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

using Customer360.Cluster.Tests.Infrastructure;
using Customer360.Contracts.Customers;
using Customer360.Domain.Customers;
using static Customer360.Cluster.Tests.Infrastructure.Touchpoints;

namespace Customer360.Cluster.Tests.Customers;

[Collection(SharedClusterCollection.Name)]
public sealed class TouchpointPagingTests(ClusterFixture fixture)
{
    private static readonly Channel[] ChannelCycle = [Channel.Web, Channel.PointOfSale, Channel.Email, Channel.MobileApp, Channel.Web];
    private static readonly TouchpointKind[] KindCycle = [TouchpointKind.Visit, TouchpointKind.Purchase, TouchpointKind.EmailOpen];

    /// <summary>
    /// Forty touchpoints over twenty hours, two per hour so that event times tie and the event
    /// id decides, recorded in shuffled order. The grain's recent window (50) holds them all.
    /// </summary>
    private async Task<(ICustomerGrain Customer, List<Touchpoint> History)> CustomerWithHistoryAsync(string prefix)
    {
        var id = TestIds.NewCustomerId(prefix);
        var start = DateTimeOffset.UtcNow.AddDays(-3);
        var history = new List<Touchpoint>();
        for (var i = 0; i < 40; i++)
        {
            var at = start.AddHours(i / 2);
            var channel = ChannelCycle[i % ChannelCycle.Length];
            var kind = KindCycle[i % KindCycle.Length];
            var eventId = $"e{(i * 7) % 40:D2}";
            history.Add(kind == TouchpointKind.Purchase
                ? Purchase(id, eventId, at, 10m + i, channel)
                : Event(id, eventId, at, channel, kind));
        }

        var customer = fixture.Customer(id);
        var arrival = history.ToArray();
        new Random(40).Shuffle(arrival);
        foreach (var touchpoint in arrival)
        {
            await customer.RecordTouchpointAsync(touchpoint);
        }

        return (customer, history);
    }

    [Fact]
    public async Task PagesListEveryTouchpointNewestFirstWithoutDuplicatesOrGaps()
    {
        var (customer, history) = await CustomerWithHistoryAsync("paging");

        foreach (var pageSize in new[] { 1, 7, 10, 40, 100 })
        {
            var listed = await ReadAllPagesAsync(customer, Query(pageSize));
            Assert.Equal(Ids(NewestFirst(history)), Ids(listed));
        }
    }

    [Fact]
    public async Task FiltersByChannelKindAndTimeCombineWithPaging()
    {
        var (customer, history) = await CustomerWithHistoryAsync("filters");
        var from = history[10].OccurredAt;
        var to = history[31].OccurredAt;

        var cases = new (TouchpointQuery Query, Func<Touchpoint, bool> Expected)[]
        {
            (Query(3) with { Channels = [Channel.Web, Channel.Email] }, t => t.Channel is Channel.Web or Channel.Email),
            (Query(4) with { Kinds = [TouchpointKind.Purchase] }, t => t.Kind == TouchpointKind.Purchase),
            (Query(5) with { OccurredFrom = from, OccurredTo = to }, t => t.OccurredAt >= from && t.OccurredAt < to),
            (Query(2) with { Channels = [Channel.Web], Kinds = [TouchpointKind.Visit, TouchpointKind.Purchase], OccurredFrom = from },
                t => t.Channel == Channel.Web && (t.Kind is TouchpointKind.Visit or TouchpointKind.Purchase) && t.OccurredAt >= from),
            (Query(5) with { Channels = [Channel.Support] }, _ => false),
        };

        foreach (var (query, expected) in cases)
        {
            var wanted = NewestFirst(history.Where(expected));
            var listed = await ReadAllPagesAsync(customer, query);
            Assert.Equal(Ids(wanted), Ids(listed));
        }
    }

    [Fact]
    public async Task CursorKeepsItsPlaceWhenTouchpointsArriveBetweenPages()
    {
        var (customer, history) = await CustomerWithHistoryAsync("cursor");
        var id = history[0].CustomerId;
        var query = Query(10);

        var first = Assert.IsType<TouchpointPage>(await customer.ListTouchpointsAsync(query));
        // One touchpoint newer than everything already read, one that sorts into the unread part.
        var newer = Event(id, "late-new", DateTimeOffset.UtcNow, Channel.Web, TouchpointKind.Visit);
        var older = Event(id, "late-old", history[0].OccurredAt.AddMinutes(1), Channel.Web, TouchpointKind.Visit);
        await customer.RecordTouchpointAsync(newer);
        await customer.RecordTouchpointAsync(older);
        var rest = await ReadAllPagesAsync(customer, query with { After = first.Next });

        Assert.Equal(Ids(NewestFirst([.. history, older])), Ids([.. first.Touchpoints, .. rest]));
    }

    [Fact]
    public async Task CustomerNeverWrittenHasNoTouchpointPage()
    {
        var customer = fixture.Customer(TestIds.NewCustomerId("no-pages"));

        Assert.Null(await customer.ListTouchpointsAsync(Query(10)));
    }

    private static TouchpointQuery Query(int pageSize) => new(pageSize, null, [], [], null, null);

    /// <summary>Follows the cursor to the end, checking the page-size contract on every page.</summary>
    private static async Task<List<Touchpoint>> ReadAllPagesAsync(ICustomerGrain customer, TouchpointQuery query)
    {
        var all = new List<Touchpoint>();
        var cursor = query.After;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages <= 100, "the cursor never reached the end");
            var page = Assert.IsType<TouchpointPage>(await customer.ListTouchpointsAsync(query with { After = cursor }));
            Assert.True(page.Touchpoints.Count <= query.PageSize, $"page of {page.Touchpoints.Count} for page size {query.PageSize}");
            all.AddRange(page.Touchpoints);
            if (page.Next is null)
            {
                return all;
            }

            // Only the last page may be short, and the cursor names the last touchpoint shown.
            Assert.Equal(query.PageSize, page.Touchpoints.Count);
            Assert.Equal(TouchpointCursor.Of(page.Touchpoints[^1]), page.Next);
            cursor = page.Next;
        }
    }

    // The documented order, written out independently of the product's comparer.
    private static List<Touchpoint> NewestFirst(IEnumerable<Touchpoint> touchpoints) =>
        [.. touchpoints.OrderByDescending(t => t.OccurredAt.UtcTicks).ThenByDescending(t => t.EventId, StringComparer.Ordinal)];

    private static string Ids(IEnumerable<Touchpoint> touchpoints) => string.Join(" ", touchpoints.Select(t => t.EventId));
}

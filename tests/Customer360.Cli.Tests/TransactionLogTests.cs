using Customer360.Api.V1;
using Customer360.Cli.Import;

namespace Customer360.Cli.Tests;

public class TransactionLogTests
{
    private static List<ParsedLine<Touchpoint>> Read(string text, TransactionLogOptions? options = null) =>
        new TransactionLog(options ?? TransactionLogOptions.Default).Read(new StringReader(text)).ToList();

    private static Touchpoint Only(string text, TransactionLogOptions? options = null)
    {
        var line = Assert.Single(Read(text, options));
        Assert.Null(line.Error);
        return line.Message!;
    }

    [Theory]
    [InlineData("C1,19970101,12.50,2")]
    [InlineData("C1\t19970101\t12.50\t2")]
    [InlineData("C1 19970101 12.50 2")]
    [InlineData("  C1     19970101    12.50   2  ")]
    [InlineData("\"C1\", 19970101 , 12.50,2")]
    [InlineData("C1\t 19970101 \t12.50\t2")]
    public void EverySeparatorGivesTheSamePurchase(string line)
    {
        var touchpoint = Only(line);

        Assert.Equal("C1", touchpoint.CustomerId);
        Assert.Equal(new DateTimeOffset(1997, 1, 1, 0, 0, 0, TimeSpan.Zero), touchpoint.OccurredAt.ToDateTimeOffset());
        Assert.Equal(TouchpointKind.Purchase, touchpoint.Kind);
        Assert.Equal(Channel.PointOfSale, touchpoint.Channel);
        Assert.Equal(new Money { Amount = "12.50", CurrencyCode = "EUR" }, touchpoint.Amount);
        Assert.Equal("transaction-log", touchpoint.SourceSystem);
        var item = Assert.Single(touchpoint.LineItems);
        Assert.Equal(new LineItem { Quantity = 2 }, item);
        Assert.Equal(TransactionLog.EventId("C1", new DateTimeOffset(1997, 1, 1, 0, 0, 0, TimeSpan.Zero), "12.50", 2, 1), touchpoint.EventId);
    }

    [Theory]
    [InlineData("C1 19970131 5.00", "1997-01-31T00:00:00Z")]
    [InlineData("C1 1997-01-31 5.00", "1997-01-31T00:00:00Z")]
    [InlineData("C1 1997-01-31T14:05 5.00", "1997-01-31T14:05:00Z")]
    [InlineData("C1 1997-01-31T14:05:09 5.00", "1997-01-31T14:05:09Z")]
    [InlineData("C1 1997-01-31T14:05:09Z 5.00", "1997-01-31T14:05:09Z")]
    [InlineData("C1 1997-01-31T16:05:09+02:00 5.00", "1997-01-31T14:05:09Z")]
    public void DatesAreMidnightUtcAndDateTimesAreUtcUnlessTheyCarryAnOffset(string line, string expected)
    {
        var touchpoint = Only(line);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), touchpoint.OccurredAt.ToDateTimeOffset());
    }

    [Theory]
    [InlineData("C1 19970101 10.00\nC1 19970102 10.00 3\n")]
    [InlineData("C1,19970101,10.00,\nC1,19970102,10.00,3\n")]
    [InlineData("C1\t19970101\t10.00\nC1\t19970102\t10.00\t3\n")]
    public void QuantityIsOptionalLineByLine(string text)
    {
        var lines = Read(text);

        Assert.All(lines, l => Assert.Null(l.Error));
        Assert.Empty(lines[0].Message!.LineItems);
        Assert.Equal(3, Assert.Single(lines[1].Message!.LineItems).Quantity);
    }

    [Fact]
    public void TheFirstLineDecidesTheSeparatorForTheWholeFile()
    {
        var lines = Read("C1,19970101,10.00\nC1 19970102 10.00\nC2,19970103,1.00\n");

        Assert.Null(lines[0].Error);
        Assert.Equal("expected 3 or 4 fields (customer, date, amount, quantity), got 1", lines[1].Error);
        Assert.Null(lines[2].Error);
    }

    [Theory]
    [InlineData("customer_id date amount quantity\nC1 19970101 10.00 1\n")]
    [InlineData("\uFEFFid,date,amount\nC1,19970101,10.00\n")]
    [InlineData("cust\tday\tspent\nC1\t19970101\t10.00\n")]
    [InlineData("transactions\nC1 19970101 10.00\n")]
    public void AHeaderLineIsSkipped(string text)
    {
        var line = Assert.Single(Read(text));

        Assert.Equal(2, line.LineNumber);
        Assert.Equal("C1", line.Message!.CustomerId);
    }

    [Fact]
    public void AFirstLineThatLooksLikeDataIsReadAndReportedNotTakenForAHeader()
    {
        var lines = Read("C1 1997-13-01 10.00\nC1 19970101 10.00\n");

        Assert.Equal(2, lines.Count);
        Assert.Equal(1, lines[0].LineNumber);
        Assert.StartsWith("date:", lines[0].Error);
        Assert.NotNull(lines[1].Message);
    }

    [Fact]
    public void OnlyTheFirstLineCanBeAHeader()
    {
        var lines = Read("C1 19970101 10.00\ncustomer date amount\n");

        Assert.Equal(2, lines.Count);
        Assert.Equal(2, lines[1].LineNumber);
        Assert.NotNull(lines[1].Error);
    }

    [Fact]
    public void BadLinesAreReportedWithTheirFileLineNumbersAndTheRestIsRead()
    {
        var text = string.Join('\n',
            "customer date amount quantity",
            "C1 19970101 10.00 1",
            "",
            "C1 19970231 10.00 1",
            "C1 19970301 12,50 1",
            "C1 19970301 -4.00 1",
            "C1 19970301 4.00 0",
            "C1 19970301 4.00 1.5",
            "C1 19970301",
            "C1 19970301 4.00 1 extra",
            "C1,\"19970301,4.00",
            "C2 19970401 3.00");

        var lines = Read(text);

        Assert.Equal([2, 4, 5, 6, 7, 8, 9, 10, 11, 12], lines.Select(l => l.LineNumber));
        Assert.NotNull(lines[0].Message);
        Assert.StartsWith("date: '19970231' is not a date", lines[1].Error);
        Assert.StartsWith("amount: '12,50' is not an amount", lines[2].Error);
        Assert.StartsWith("amount: '-4.00' is not an amount", lines[3].Error);
        Assert.Equal("quantity: '0' is not a positive whole number", lines[4].Error);
        Assert.Equal("quantity: '1.5' is not a positive whole number", lines[5].Error);
        Assert.Equal("expected 3 or 4 fields (customer, date, amount, quantity), got 2", lines[6].Error);
        Assert.Equal("expected 3 or 4 fields (customer, date, amount, quantity), got 5", lines[7].Error);
        Assert.Equal("expected 3 or 4 fields (customer, date, amount, quantity), got 1", lines[8].Error);
        Assert.Equal("C2", lines[9].Message!.CustomerId);
    }

    [Fact]
    public void CommaSeparatedLinesFollowTheCsvQuotingRules()
    {
        var lines = Read("\"C,1\",19970101,1.00\nC1,\"19970301,4.00\nC1,19970301,\"12,50\"\n");

        Assert.Equal("C,1", lines[0].Message!.CustomerId);
        Assert.Contains("no closing quote", lines[1].Error);
        Assert.StartsWith("amount: '12,50' is not an amount", lines[2].Error);
    }

    [Fact]
    public void OptionsApplyToEveryPurchase()
    {
        var options = TransactionLogOptions.Default with
        {
            Currency = "USD",
            Channel = Channel.Web,
            SourceSystem = "cdnow",
            CustomerPrefix = "cd-",
            Columns = TransactionLog.ParseColumns("customer,date,quantity,amount"),
        };

        var touchpoint = Only("00001 19970101 1 11.77", options);

        Assert.Equal("cd-00001", touchpoint.CustomerId);
        Assert.Equal(new Money { Amount = "11.77", CurrencyCode = "USD" }, touchpoint.Amount);
        Assert.Equal(Channel.Web, touchpoint.Channel);
        Assert.Equal("cdnow", touchpoint.SourceSystem);
        Assert.Equal(1, Assert.Single(touchpoint.LineItems).Quantity);
    }

    [Theory]
    [InlineData("customer,date", "missing column(s) amount")]
    [InlineData("customer,date,amount,amount", "column 'amount' appears twice")]
    [InlineData("customer,day,amount", "'day' is not a column")]
    public void BadColumnListsAreRefused(string columns, string message)
    {
        var error = Assert.Throws<FormatException>(() => TransactionLog.ParseColumns(columns));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void EventIdsAreTheSameOnEveryRead()
    {
        const string text = "C1 19970101 10.00 1\nC2 19970105 3.50\n";

        var first = Read(text).Select(l => l.Message!.EventId).ToList();
        var second = Read(text).Select(l => l.Message!.EventId).ToList();

        Assert.Equal(first, second);
        Assert.All(first, id => Assert.Matches("^txn-[0-9a-f]{32}$", id));
        Assert.Equal(2, first.Distinct().Count());
    }

    [Fact]
    public void IdenticalLinesAreDistinctPurchases()
    {
        var lines = Read("C1 19970101 10.00 1\nC1 19970101 10.00 1\nC1 19970101 10.00 1\n");

        Assert.Equal(3, lines.Select(l => l.Message!.EventId).Distinct().Count());
        Assert.Equal(TransactionLog.EventId("C1", new DateTimeOffset(1997, 1, 1, 0, 0, 0, TimeSpan.Zero), "10.00", 1, 3), lines[2].Message!.EventId);
    }

    [Fact]
    public void InsertingLinesElsewhereKeepsTheOtherLinesIds()
    {
        var before = Read("C1 19970101 10.00 1\nC1 19970101 10.00 1\nC2 19970105 3.50\n");
        var after = Read("C9 19961231 1.00\nC1 19970101 10.00 1\nC3 19970102 8.00 2\nC1 19970101 10.00 1\nC2 19970105 3.50\nC1 19970101 10.00 1\n");

        var ids = after.Select(l => l.Message!.EventId).ToList();
        Assert.Equal(before.Select(l => l.Message!.EventId), [ids[1], ids[3], ids[4]]);
        Assert.Equal(6, ids.Distinct().Count());
    }

    [Fact]
    public void TheSamePurchaseWrittenDifferentlyHasTheSameId()
    {
        var ids = Read("C1 19970101 10.5 1\nC1 1997-01-01 010.50 1\nC1 1997-01-01T00:00:00Z 10.500 1\n")
            .Select(l => l.Message!.EventId).Distinct().ToList();

        // The three lines are one purchase written three ways, so they are the first, second and third occurrence.
        Assert.Equal(3, ids.Count);
        Assert.Equal(TransactionLog.EventId("C1", new DateTimeOffset(1997, 1, 1, 0, 0, 0, TimeSpan.Zero), "10.5", 1, 2), ids[1]);
    }

    [Fact]
    public void DifferentContentGivesDifferentIds()
    {
        var at = new DateTimeOffset(1997, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var ids = new[]
        {
            TransactionLog.EventId("C1", at, "10.00", 1, 1),
            TransactionLog.EventId("C2", at, "10.00", 1, 1),
            TransactionLog.EventId("C1", at.AddDays(1), "10.00", 1, 1),
            TransactionLog.EventId("C1", at, "10.01", 1, 1),
            TransactionLog.EventId("C1", at, "10.00", 2, 1),
            TransactionLog.EventId("C1", at, "10.00", null, 1),
            TransactionLog.EventId("C1", at, "10.00", 1, 2),
        };

        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void TheRecordCountLeavesOutBlankLinesAndTheHeader()
    {
        var withHeader = Path.GetTempFileName();
        var withoutHeader = Path.GetTempFileName();
        try
        {
            File.WriteAllText(withHeader, "customer date amount\n\nC1 19970101 1.00\nC1 19970102 1.00\n");
            File.WriteAllText(withoutHeader, "C1 19970101 1.00\n\nC1 19970102 1.00\n");
            var log = new TransactionLog(TransactionLogOptions.Default);

            Assert.Equal(2, log.CountRecords(withHeader));
            Assert.Equal(2, log.CountRecords(withoutHeader));
        }
        finally
        {
            File.Delete(withHeader);
            File.Delete(withoutHeader);
        }
    }

    [Fact]
    public async Task TheImporterSendsEveryPurchaseAndReportsTheAcks()
    {
        var text = "customer date amount quantity\nC1 19970101 10.00 1\nC1 19970101 10.00 1\nC2 19970102 bad\nC2 19970103 4.00\n";
        var applied = new HashSet<string>();
        var sent = new List<Touchpoint>();
        TouchpointAck Idempotent(Touchpoint t)
        {
            sent.Add(t);
            return new TouchpointAck { Status = applied.Add(t.EventId) ? AckStatus.Accepted : AckStatus.Duplicate };
        }

        var first = new FakeTouchpointStream(batch: 2, Idempotent);
        var tally = await new TouchpointImporter().RunAsync(Read(text), first.Open, CancellationToken.None);

        Assert.Equal(3, tally.Accepted);
        Assert.Equal(0, tally.Duplicate);
        var rejection = Assert.Single(tally.Rejections);
        Assert.Equal(4, rejection.LineNumber);
        Assert.StartsWith("amount:", rejection.Reason);
        Assert.Equal(["C1", "C1", "C2"], sent.Select(t => t.CustomerId));
        Assert.All(sent, t => Assert.Equal(TouchpointKind.Purchase, t.Kind));
        Assert.Equal(["10.00", "10.00", "4.00"], sent.Select(t => t.Amount.Amount));

        var again = new FakeTouchpointStream(batch: 2, Idempotent);
        var second = await new TouchpointImporter().RunAsync(Read(text), again.Open, CancellationToken.None);

        Assert.Equal(0, second.Accepted);
        Assert.Equal(3, second.Duplicate);
        Assert.Equal(1, second.Rejected);
    }

    [Fact]
    public void TheSampleFileIsTheGeneratorsOutputAndReadsWithoutErrors()
    {
        var path = Path.Combine(TransactionSample.RepositoryRoot(), TransactionSample.RelativePath);
        var expected = TransactionSample.Generate();
        if (Environment.GetEnvironmentVariable("C360_WRITE_SAMPLES") == "1")
        {
            File.WriteAllText(path, expected);
        }

        Assert.Equal(expected, File.ReadAllText(path));
        var lines = Read(expected);
        Assert.InRange(lines.Count, 1_000, 2_500);
        Assert.All(lines, l => Assert.Null(l.Error));
        Assert.Equal(lines.Count, lines.Select(l => l.Message!.EventId).Distinct().Count());
    }
}

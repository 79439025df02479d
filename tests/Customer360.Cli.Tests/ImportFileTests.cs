using Customer360.Cli.Import;

namespace Customer360.Cli.Tests;

public class ImportFileTests
{
    [Fact]
    public void CsvRecordsCarryTheirFileLineNumbersAndBlankLinesAreSkipped()
    {
        var text = string.Join('\n',
            "event_id,customer_id,occurred_at,channel,kind",
            "e-1,C1,2026-03-01T10:15:00Z,web,visit",
            "",
            "e-2,C1,not-a-time,web,visit",
            "e-3,C2,2026-03-01T10:16:00Z,email,email_open");

        var lines = ImportFile.ReadTouchpoints(new StringReader(text), ImportFormat.Csv).ToList();

        Assert.Equal([2, 4, 5], lines.Select(l => l.LineNumber));
        Assert.NotNull(lines[0].Message);
        Assert.StartsWith("occurred_at:", lines[1].Error);
        Assert.Equal("e-2", lines[1].EventId);
        Assert.Equal("e-3", lines[2].Message!.EventId);
    }

    [Fact]
    public void JsonLinesHaveNoHeader()
    {
        var text = "{\"eventId\":\"e-1\"}\n\n{broken\n";

        var lines = ImportFile.ReadTouchpoints(new StringReader(text), ImportFormat.Jsonl).ToList();

        Assert.Equal([1, 3], lines.Select(l => l.LineNumber));
        Assert.Equal("e-1", lines[0].Message!.EventId);
        Assert.NotNull(lines[1].Error);
    }

    [Theory]
    [InlineData("data.csv", "{", "Csv")]
    [InlineData("data.jsonl", "event_id", "Jsonl")]
    [InlineData("data.ndjson", null, "Jsonl")]
    [InlineData("data.txt", "  {\"eventId\":1}", "Jsonl")]
    [InlineData("data", "event_id,customer_id", "Csv")]
    public void FormatIsDetectedFromExtensionThenContent(string path, string? firstLine, string expected)
    {
        Assert.Equal(Enum.Parse<ImportFormat>(expected), ImportFile.Detect(path, firstLine));
    }

    [Fact]
    public void ProfilesAreReadAsUpsertRequests()
    {
        var lines = ImportFile.ReadProfiles(new StringReader("{\"customerId\":\"C1\",\"givenName\":\"Anna\"}\nnope\n")).ToList();

        Assert.Equal("Anna", lines[0].Message!.GivenName);
        Assert.Equal(2, lines[1].LineNumber);
        Assert.Null(lines[1].Message);
    }

    [Fact]
    public void RecordCountLeavesOutHeaderAndBlankLines()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "event_id,customer_id,occurred_at,channel,kind\na\n\nb\n");
            Assert.Equal(2, ImportFile.CountRecords(path, ImportFormat.Csv));
            Assert.Equal(3, ImportFile.CountRecords(path, ImportFormat.Jsonl));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadingWithoutChoosingAFormatIsAProgrammingError()
    {
        Assert.Throws<ArgumentException>(() => ImportFile.ReadTouchpoints(new StringReader(""), ImportFormat.Auto).ToList());
    }
}

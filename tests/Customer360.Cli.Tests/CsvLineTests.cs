using Customer360.Cli.Import;

namespace Customer360.Cli.Tests;

public class CsvLineTests
{
    [Theory]
    [InlineData("a,b,c", new[] { "a", "b", "c" })]
    [InlineData("a,,c", new[] { "a", "", "c" })]
    [InlineData("a,b,", new[] { "a", "b", "" })]
    [InlineData(" a , b ", new[] { "a", "b" })]
    [InlineData("\"x, y\",z", new[] { "x, y", "z" })]
    [InlineData("\"say \"\"hi\"\"\",2", new[] { "say \"hi\"", "2" })]
    [InlineData("\" padded \"", new[] { " padded " })]
    public void FieldsAreSplitAsSpreadsheetsWriteThem(string line, string[] expected)
    {
        var fields = new List<string>();
        Assert.True(CsvLine.TrySplit(line, fields, out var error), error);
        Assert.Equal(expected, fields);
    }

    [Theory]
    [InlineData("\"never closed,b")]
    [InlineData("\"closed\"junk,b")]
    public void BrokenQuotingIsReported(string line)
    {
        Assert.False(CsvLine.TrySplit(line, [], out var error));
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("with, comma")]
    [InlineData("with \"quote\"")]
    [InlineData(" leading space")]
    [InlineData("")]
    public void EscapedFieldsSplitBackToThemselves(string field)
    {
        var fields = new List<string>();
        Assert.True(CsvLine.TrySplit(CsvLine.Join([field, "next"]), fields, out _));
        Assert.Equal([field, "next"], fields);
    }
}

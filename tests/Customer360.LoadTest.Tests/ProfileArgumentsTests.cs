namespace Customer360.LoadTest.Tests;

public sealed class ProfileArgumentsTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"c360-profile-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void AProfileBecomesTheCommandsOptionsAndTheCommandLineWins()
    {
        File.WriteAllText(_file, """
            // comments are allowed
            { "touchpoints": 5000, "skew": 1.5, "mix": "purchase=1", "returning": true, "no-verify": false, "run-id": null, "seed": 9, }
            """);

        var expanded = ProfileArguments.Expand(["ingest", "--seed", "3", "--profile", _file, "--streams", "4"]);

        Assert.Equal(["ingest", "--seed", "3", "--touchpoints", "5000", "--skew", "1.5", "--mix", "purchase=1", "--returning", "--streams", "4"], expanded);
    }

    [Fact]
    public void TheExpandedArgumentsParseAsTheCommandsOwnOptions()
    {
        File.WriteAllText(_file, """{ "touchpoints": 5000, "skew": 1.5, "window": 32, "batch": 8 }""");

        var parse = LoadTestApplication.Create().Parse(ProfileArguments.Expand(["ingest", $"--profile={_file}"]));

        Assert.Empty(parse.Errors);
        Assert.Equal(5000, parse.GetValue<int>("--touchpoints"));
        Assert.Equal(1.5, parse.GetValue<double>("--skew"));
        Assert.Equal(8, parse.GetValue<int>("--batch"));
    }

    [Fact]
    public void ASettingTheCommandDoesNotKnowIsRefusedByItsParser()
    {
        File.WriteAllText(_file, """{ "touchpionts": 5000 }""");

        var parse = LoadTestApplication.Create().Parse(ProfileArguments.Expand(["ingest", "--profile", _file]));

        Assert.Contains(parse.Errors, e => e.Message.Contains("--touchpionts", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[1, 2]", "expected a JSON object")]
    [InlineData("{ \"mix\": { \"purchase\": 1 } }", "\"mix\" must be a number, a string")]
    [InlineData("{ not json", "--profile")]
    public void AFileThatIsNotAProfileIsRefused(string content, string message)
    {
        File.WriteAllText(_file, content);

        var ex = Assert.Throws<ProfileException>(() => ProfileArguments.Expand(["inproc", "--profile", _file]));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void AMissingFileIsRefused()
    {
        var ex = Assert.Throws<ProfileException>(() => ProfileArguments.Expand(["inproc", "--profile", _file]));
        Assert.StartsWith($"--profile {_file}:", ex.Message);
    }

    [Fact]
    public void TheShippedProfileParses()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "profiles", "busy-shop.json");
        var parse = LoadTestApplication.Create().Parse(ProfileArguments.Expand(["ingest", "--profile", shipped]));

        Assert.Empty(parse.Errors);
        Assert.Equal(1.0, parse.GetValue<double>("--skew"));
    }
}

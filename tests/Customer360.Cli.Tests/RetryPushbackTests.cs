using Customer360.Clients;
using Grpc.Core;

namespace Customer360.Cli.Tests;

public class RetryPushbackTests
{
    [Theory]
    [InlineData("250", 250)]
    [InlineData("99999999999999", int.MaxValue)]
    public void TheWaitIsTheServers(string trailer, long milliseconds)
    {
        var refusal = Refusal(StatusCode.ResourceExhausted, trailer);

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), RetryPushback.AskedBy(refusal));
        Assert.True(RetryPushback.IsPushback(refusal));
    }

    [Theory]
    [InlineData("250", 250)]
    [InlineData("60000", 10_000)]
    public void AClientWaitsAtMostTenSecondsAtATime(string trailer, long milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), RetryPushback.WaitFor(Refusal(StatusCode.ResourceExhausted, trailer)));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("soon")]
    [InlineData("")]
    public void AWaitThatIsNotAWholeNumberOfMillisecondsAsksNotToTryAgain(string trailer)
    {
        var refusal = Refusal(StatusCode.ResourceExhausted, trailer);

        Assert.Null(RetryPushback.AskedBy(refusal));
        Assert.False(RetryPushback.IsPushback(refusal));
    }

    [Fact]
    public void ARefusalWithoutTheTrailerAsksForNoWait()
    {
        // A message larger than the server takes: it would be refused again every time.
        var refusal = Refusal(StatusCode.ResourceExhausted, trailer: null);

        Assert.Null(RetryPushback.AskedBy(refusal));
        Assert.False(RetryPushback.IsPushback(refusal));
    }

    [Fact]
    public void OnlyResourceExhaustedIsARefusalForNow()
    {
        Assert.False(RetryPushback.IsPushback(Refusal(StatusCode.PermissionDenied, "250")));
    }

    private static RpcException Refusal(StatusCode code, string? trailer)
    {
        var trailers = new Metadata();
        if (trailer is not null)
        {
            trailers.Add(RetryPushback.Trailer, trailer);
        }

        return new RpcException(new Status(code, "limited"), trailers);
    }
}

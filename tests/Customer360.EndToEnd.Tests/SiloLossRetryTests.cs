using Customer360.Server.Grpc;

namespace Customer360.EndToEnd.Tests;

/// <summary>
/// Grain calls that fail because their silo left the cluster are tried again, a few times
/// within seconds; other failures, and calls on a server that is stopping itself, are not.
/// <c>RollingRestartTests</c> shows the effect on a real cluster.
/// </summary>
public sealed class SiloLossRetryTests
{
    [Fact]
    public async Task ACallWhoseSiloLeftIsTriedAgainUntilItIsAnswered()
    {
        var calls = 0;
        var answer = await SiloLossRetry.CallAsync(
            () => ++calls < 3 ? throw new SiloUnavailableException("the silo is shutting down") : Task.FromResult("answered"),
            CancellationToken.None,
            CancellationToken.None);

        Assert.Equal("answered", answer);
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task OtherFailuresGoToTheClientAtOnce()
    {
        foreach (var failure in new Exception[] { new TimeoutException(), new OrleansException("storage"), new InvalidOperationException() })
        {
            var calls = 0;
            var thrown = await Assert.ThrowsAnyAsync<Exception>(() => SiloLossRetry.CallAsync<string>(
                () => { calls++; throw failure; },
                CancellationToken.None,
                CancellationToken.None));

            Assert.Same(failure, thrown);
            Assert.Equal(1, calls);
        }
    }

    [Fact]
    public async Task AServerThatIsStoppingDoesNotTryAgain()
    {
        using var stopping = new CancellationTokenSource();
        await stopping.CancelAsync();
        var calls = 0;
        await Assert.ThrowsAsync<SiloUnavailableException>(() => SiloLossRetry.CallAsync<string>(
            () => { calls++; throw new SiloUnavailableException(); },
            CancellationToken.None,
            stopping.Token));

        Assert.Equal(1, calls);
    }
}

using Customer360.Grains.Storage;
using Customer360.Grains.Values;

namespace Customer360.Cluster.Tests.Values;

/// <summary>What the value model's status says of a failure: the engine's own account, or only the kind of an unforeseen one.</summary>
public sealed class StatusFailureTests
{
    [Fact]
    public void AnUnforeseenFailureIsNamedByItsKindAlone()
    {
        var described = StatusFailure.Describe(new InvalidOperationException("Response did not arrive in time for message Request [S10.0.3.7:11111:1234 sys.svc.user]"));

        Assert.Equal("an unexpected InvalidOperationException; the server's log has the details", described);
    }

    [Fact]
    public void TheEnginesOwnAccountIsGivenEvenWhenWrapped()
    {
        const string Unavailable = "The customer store could not be read; nothing was changed. Retry.";

        Assert.Equal(Unavailable, StatusFailure.Describe(new AggregateException(new CustomerStoreUnavailableException(Unavailable, new IOException("db-7.internal:5432")))));
        Assert.Equal("3 customers could not be rescored", StatusFailure.Describe(new SweepStoppedShortException("3 customers could not be rescored")));
    }
}

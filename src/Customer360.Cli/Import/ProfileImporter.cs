using Customer360.Api.V1;
using Customer360.Cli.Mapping;
using Customer360.Clients;
using Grpc.Core;

namespace Customer360.Cli.Import;

/// <summary>
/// Upserts profiles from a file with a few calls in flight. A profile the server refuses is
/// recorded against its line and the import goes on; a failure that would hit every line
/// (server down, no permission) stops it.
/// </summary>
/// <remarks>
/// Upserts are idempotent, so a re-run of the same file leaves the profiles as they are, and the
/// server says so: <paramref name="upsert"/> answers whether the profile changed, and those that
/// did not are counted as unchanged.
///
/// An API key with a rate limit has calls beyond it refused with RESOURCE_EXHAUSTED and how long
/// to wait (<c>grpc-retry-pushback-ms</c>): the import waits that long and sends the profile
/// again, so a limited key's import runs at the key's rate instead of stopping. A profile larger
/// than the server takes is refused with RESOURCE_EXHAUSTED and no wait: it is recorded against
/// its line, as any other refused profile.
///
/// UNAVAILABLE is often a moment's (a customer moving between silos, a database fail-over):
/// the profile is sent again after <paramref name="firstUnavailableWait"/>, then twice as long
/// each time, <see cref="UnavailableAttempts"/> times in all, before the import stops as for a
/// server that is down.
/// </remarks>
internal sealed class ProfileImporter(
    Func<UpsertProfileRequest, CancellationToken, Task<bool>> upsert,
    int parallelism = ProfileImporter.DefaultParallelism,
    TimeSpan? firstUnavailableWait = null)
{
    public const int DefaultParallelism = 16;

    /// <summary>How many times one profile is sent while the server answers UNAVAILABLE.</summary>
    public const int UnavailableAttempts = 5;

    private readonly TimeSpan _firstUnavailableWait = firstUnavailableWait ?? TimeSpan.FromMilliseconds(250);

    private static readonly HashSet<StatusCode> PerRecordFailures =
    [
        StatusCode.InvalidArgument, StatusCode.FailedPrecondition, StatusCode.OutOfRange,
        StatusCode.AlreadyExists, StatusCode.NotFound, StatusCode.Aborted,
    ];

    public Action<ImportTally>? Progress { get; set; }

    /// <summary>The running count; still readable when a run is cancelled part way.</summary>
    public ImportTally Tally { get; } = new();

    public async Task<ImportTally> RunAsync(IEnumerable<ParsedLine<UpsertProfileRequest>> lines, CancellationToken cancellationToken)
    {
        var tally = Tally;
        var options = new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(lines, options, async (line, ct) =>
        {
            if (line.Message is null)
            {
                tally.AddRejected(new ImportRejection(line.LineNumber, string.Empty, line.Error ?? "unreadable", string.Empty, string.Empty));
            }
            else
            {
                try
                {
                    if (await UpsertPacedAsync(line.Message, ct))
                    {
                        tally.AddAccepted();
                    }
                    else
                    {
                        tally.AddUnchanged();
                    }
                }
                catch (RpcException ex) when (PerRecordFailures.Contains(ex.StatusCode) || (ex.StatusCode == StatusCode.ResourceExhausted && !RetryPushback.IsPushback(ex)))
                {
                    tally.AddRejected(new ImportRejection(
                        line.LineNumber, line.Message.CustomerId, ex.Status.Detail, string.Empty, ProtoValues.FormatStatusCode(ex.StatusCode)));
                }
            }

            Progress?.Invoke(tally);
        });

        return tally;
    }

    private async Task<bool> UpsertPacedAsync(UpsertProfileRequest request, CancellationToken cancellationToken)
    {
        var unavailable = 0;
        var wait = _firstUnavailableWait;
        while (true)
        {
            try
            {
                return await upsert(request, cancellationToken);
            }
            catch (RpcException ex) when (RetryPushback.IsPushback(ex))
            {
                // Refused before anything was applied, so sending the same profile again is safe.
                await Task.Delay(RetryPushback.WaitFor(ex), cancellationToken);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && ++unavailable < UnavailableAttempts)
            {
                // Applied or not, the same upsert sent again leaves the profile as one would.
                await Task.Delay(wait, cancellationToken);
                wait *= 2;
            }
        }
    }
}

using Customer360.Api.V1;
using Customer360.Cli.Mapping;
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
/// </remarks>
internal sealed class ProfileImporter(Func<UpsertProfileRequest, CancellationToken, Task<bool>> upsert, int parallelism = ProfileImporter.DefaultParallelism)
{
    public const int DefaultParallelism = 16;

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
                    if (await upsert(line.Message, ct))
                    {
                        tally.AddAccepted();
                    }
                    else
                    {
                        tally.AddUnchanged();
                    }
                }
                catch (RpcException ex) when (PerRecordFailures.Contains(ex.StatusCode))
                {
                    tally.AddRejected(new ImportRejection(
                        line.LineNumber, line.Message.CustomerId, ex.Status.Detail, string.Empty, ProtoValues.FormatStatusCode(ex.StatusCode)));
                }
            }

            Progress?.Invoke(tally);
        });

        return tally;
    }
}

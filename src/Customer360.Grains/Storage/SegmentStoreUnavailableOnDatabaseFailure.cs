using System.Data.Common;

namespace Customer360.Grains.Storage;

/// <summary>
/// A segment store whose database failures (unreachable, timed out, refused) surface as
/// <see cref="CustomerStoreUnavailableException"/>, as the customer store's do
/// (<see cref="UnavailableOnDatabaseFailure"/>): the segment tables live in the same database.
/// A segment that cannot be opened then answers <c>GetSegment</c>, <c>ListSegments</c> and
/// <c>WatchSegment</c> with UNAVAILABLE (retry), not an internal error, and the exception
/// crosses silos intact, which a driver's own exception type would not.
/// </summary>
/// <remarks>
/// A write superseded by another opener is no database failure: <see cref="SegmentSupersededException"/>
/// passes through unchanged.
/// </remarks>
public sealed class SegmentStoreUnavailableOnDatabaseFailure(ISegmentStore inner) : ISegmentStore, IAsyncDisposable
{
    public ISegmentStore Inner { get; } = inner;

    public async Task<StoredSegment> OpenSegmentAsync(string segmentId)
    {
        try
        {
            return await Inner.OpenSegmentAsync(segmentId);
        }
        catch (DbException ex)
        {
            throw new CustomerStoreUnavailableException($"Segment '{segmentId}' could not be read from the store; nothing was changed. Retry.", ex);
        }
    }

    public async Task WriteSegmentAsync(string segmentId, SegmentWrite write)
    {
        try
        {
            await Inner.WriteSegmentAsync(segmentId, write);
        }
        catch (DbException ex)
        {
            throw new CustomerStoreUnavailableException($"Segment '{segmentId}' could not be written to the store; nothing was stored. Retry.", ex);
        }
    }

    public ValueTask DisposeAsync() => InnerStore.DisposeAsync(Inner);
}

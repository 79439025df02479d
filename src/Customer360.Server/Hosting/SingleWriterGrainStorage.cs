using Orleans.Storage;

namespace Customer360.Server.Hosting;

/// <summary>
/// Lets one grain-state write at a time reach the embedded SQLite store. SQLite has a single
/// writer lock, and its driver waits for that lock by sleeping on the calling thread, which
/// would stall Orleans' scheduler threads under concurrent writes. Queuing writers here,
/// asynchronously, keeps those threads free. Reads are not queued: WAL mode lets them run
/// beside the writer.
/// </summary>
public sealed class SingleWriterGrainStorage(IGrainStorage inner) : IGrainStorage
{
    private readonly SemaphoreSlim _writer = new(1, 1);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        OneAtATimeAsync(() => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        OneAtATimeAsync(() => inner.ClearStateAsync(stateName, grainId, grainState));

    private async Task OneAtATimeAsync(Func<Task> write)
    {
        await _writer.WaitAsync();
        try
        {
            await write();
        }
        finally
        {
            _writer.Release();
        }
    }
}

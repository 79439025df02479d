namespace Customer360.Grains.Storage;

/// <summary>What the store wrappers share.</summary>
internal static class InnerStore
{
    /// <summary>Disposes a wrapped store, whichever way it is disposed (a memory store is not).</summary>
    public static async ValueTask DisposeAsync(object inner)
    {
        switch (inner)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}

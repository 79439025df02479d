namespace Customer360.LoadTest.InProcess;

/// <summary>
/// The cheapest grain call there is: the ceiling the engine's per-touchpoint grain call is
/// compared with, measured on the same cluster in the same run.
/// </summary>
[Alias("c360.load.IEchoGrain")]
public interface IEchoGrain : IGrainWithIntegerKey
{
    [Alias("Echo")]
    Task<int> EchoAsync(int value);
}

public sealed class EchoGrain : Grain, IEchoGrain
{
    public Task<int> EchoAsync(int value) => Task.FromResult(value);
}

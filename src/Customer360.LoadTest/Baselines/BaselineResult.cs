namespace Customer360.LoadTest.Baselines;

/// <summary>How long a PostgreSQL baseline took to make its rows durable.</summary>
/// <param name="Rows">Touchpoints written (and counted back afterwards).</param>
/// <param name="Elapsed">From the first row sent to the last commit.</param>
/// <param name="Method">How the rows were written, for the report.</param>
internal sealed record BaselineResult(int Rows, TimeSpan Elapsed, string Method)
{
    /// <summary>Touchpoints made durable per second.</summary>
    public double RowsPerSecond => Elapsed > TimeSpan.Zero ? Rows / Elapsed.TotalSeconds : 0;
}

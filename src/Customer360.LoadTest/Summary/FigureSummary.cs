namespace Customer360.LoadTest.Summary;

/// <summary>
/// One measure over several runs of a setup: the median, which a single noisy run on a shared
/// machine cannot move much, and the spread (lowest to highest) that shows how noisy it was.
/// </summary>
internal sealed record FigureSummary(string Measure, int Runs, double Median, double Lowest, double Highest)
{
    public static FigureSummary Of(string measure, IReadOnlyCollection<double> values)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException("no values to summarise", nameof(values));
        }

        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new FigureSummary(measure, sorted.Length, median, sorted[0], sorted[^1]);
    }

    /// <summary>Every measure of every setup, setups and measures in the order first met.</summary>
    public static IReadOnlyList<(string Setup, IReadOnlyList<FigureSummary> Figures, int Runs)> Summarise(IEnumerable<RunFigures> runs) =>
        [.. runs.GroupBy(r => r.Setup).Select(setup => (
            setup.Key,
            (IReadOnlyList<FigureSummary>)[.. setup.SelectMany(r => r.Figures).GroupBy(f => f.Measure).Select(m => Of(m.Key, [.. m.Select(f => f.Value)]))],
            setup.Count()))];
}

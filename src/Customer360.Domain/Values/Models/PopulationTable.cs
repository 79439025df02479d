namespace Customer360.Domain.Values.Models;

/// <summary>
/// A population laid out for fast likelihood sums: customers with identical statistics
/// (x, u, v) collapse into one weighted row, rows are sorted by x so that every x-dependent term
/// (log-gammas, digammas) is computed once per distinct x, and rows are cut into fixed chunks
/// summed in parallel and then added up in chunk order, so a sum does not depend on the number
/// of threads.
/// </summary>
internal sealed class PopulationTable(int[] distinctX, int[] rowX, double[] u, double[] v, double[] weight, long customers)
{
    private const int ChunkRows = 16_384;

    /// <summary>The distinct values of x, ascending.</summary>
    public int[] DistinctX { get; } = distinctX;

    /// <summary>Per row, the index of its x in <see cref="DistinctX"/>.</summary>
    public int[] RowX { get; } = rowX;

    public double[] U { get; } = u;

    public double[] V { get; } = v;

    /// <summary>Per row, how many customers share its statistics.</summary>
    public double[] Weight { get; } = weight;

    public long Customers { get; } = customers;

    public int Rows => U.Length;

    /// <summary>Sorts <paramref name="rows"/> in place and merges identical ones.</summary>
    public static PopulationTable Build(Row[] rows)
    {
        Array.Sort(rows);
        var distinctX = new List<int>();
        var rowX = new List<int>(rows.Length);
        var u = new List<double>(rows.Length);
        var v = new List<double>(rows.Length);
        var weight = new List<double>(rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            if (i > 0 && row.CompareTo(rows[i - 1]) == 0)
            {
                weight[^1] += 1;
                continue;
            }

            if (distinctX.Count == 0 || distinctX[^1] != row.X)
            {
                distinctX.Add(row.X);
            }

            rowX.Add(distinctX.Count - 1);
            u.Add(row.U);
            v.Add(row.V);
            weight.Add(1);
        }

        return new PopulationTable([.. distinctX], [.. rowX], [.. u], [.. v], [.. weight], rows.Length);
    }

    /// <summary>
    /// Adds up <paramref name="width"/> sums over all rows: <paramref name="chunk"/> fills
    /// <c>sums[offset .. offset + width)</c> for the rows [start, end).
    /// </summary>
    public void Sum(int width, int? maxDegreeOfParallelism, ChunkSum chunk, Span<double> total)
    {
        var chunks = Math.Max(1, (Rows + ChunkRows - 1) / ChunkRows);
        var partial = new double[chunks * width];
        if (chunks == 1)
        {
            chunk(0, Rows, partial, 0);
        }
        else
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism ?? Environment.ProcessorCount };
            Parallel.For(0, chunks, options, i => chunk(i * ChunkRows, Math.Min(Rows, (i + 1) * ChunkRows), partial, i * width));
        }

        total.Clear();
        for (var i = 0; i < chunks; i++)
        {
            for (var k = 0; k < width; k++)
            {
                total[k] += partial[(i * width) + k];
            }
        }
    }

    /// <summary>
    /// The mean negative log-likelihood per customer and its gradient over θ = ln φ, from chunk
    /// sums laid out as [log-likelihood, ∂/∂φ₁, …, ∂/∂φₙ]: ∂f/∂θᵢ = −φᵢ (∂ℓ/∂φᵢ) / N.
    /// </summary>
    public double MeanNegativeLogLikelihood(ReadOnlySpan<double> phi, int? maxDegreeOfParallelism, ChunkSum chunk, Span<double> gradient)
    {
        Span<double> sums = stackalloc double[phi.Length + 1];
        Sum(sums.Length, maxDegreeOfParallelism, chunk, sums);
        for (var i = 0; i < phi.Length; i++)
        {
            gradient[i] = -sums[i + 1] * phi[i] / Customers;
        }

        return -sums[0] / Customers;
    }

    public delegate void ChunkSum(int start, int end, double[] sums, int offset);

    /// <summary>One customer's statistics: x and two model-specific figures.</summary>
    public readonly record struct Row(int X, double U, double V) : IComparable<Row>
    {
        public int CompareTo(Row other)
        {
            var byX = X.CompareTo(other.X);
            if (byX != 0)
            {
                return byX;
            }

            var byU = U.CompareTo(other.U);
            return byU != 0 ? byU : V.CompareTo(other.V);
        }
    }
}
